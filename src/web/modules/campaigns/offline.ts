// The phone's own memory for door-to-door work: IndexedDB keeps the member's last assignment and every
// record not yet on the server, so a page reloaded in a stairwell without signal loses nothing. Records
// carry a client id (UUID) made here: sending one twice stores it once on the server.

const DB = "gk-campaigns";
const QUEUE = "queue";
const KV = "kv";

export interface QueuedRecord {
  clientId: string;
  accountId: number;
  campaignId: number;
  householdId: number;
  /** For the pending list: where it was. */
  address: string;
  outcome: string;
  questionnaireVersion: number;
  answers: Record<string, string | number | string[]>;
  deviceTime: string;
  note?: string;
  location?: { lat: number; long: number; accuracy?: number };
  notice?: { method: string; to?: string; at?: string };
  photos?: { key: string; data: string }[];
  /** Set when the server refused it (400/404): kept, shown, never resent by itself. */
  rejected?: string;
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains(QUEUE)) db.createObjectStore(QUEUE, { keyPath: "clientId" });
      if (!db.objectStoreNames.contains(KV)) db.createObjectStore(KV, { keyPath: "key" });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function run<T>(
  store: string,
  mode: IDBTransactionMode,
  fn: (s: IDBObjectStore) => IDBRequest | undefined,
) {
  const db = await open();
  return new Promise<T>((resolve, reject) => {
    const tx = db.transaction(store, mode);
    const req = fn(tx.objectStore(store));
    tx.oncomplete = () => {
      db.close();
      resolve((req ? req.result : undefined) as T);
    };
    tx.onerror = () => {
      db.close();
      reject(tx.error);
    };
  });
}

export function enqueue(record: QueuedRecord): Promise<void> {
  return run(QUEUE, "readwrite", (s) => s.put(record));
}

export async function queued(accountId: number): Promise<QueuedRecord[]> {
  const all = await run<QueuedRecord[]>(QUEUE, "readonly", (s) => s.getAll());
  return all
    .filter((r) => r.accountId === accountId)
    .sort((a, b) => a.deviceTime.localeCompare(b.deviceTime));
}

export function remove(clientIds: string[]): Promise<void> {
  return run(QUEUE, "readwrite", (s) => {
    for (const id of clientIds) s.delete(id);
    return undefined;
  });
}

export async function keep<T>(key: string, value: T): Promise<void> {
  await run(KV, "readwrite", (s) => s.put({ key, value }));
}

/**
 * Signing out on purpose: the copy of the member's assignment (addresses) leaves the phone. Records not yet
 * synced stay: they are the member's work and go out at their next sign-in.
 */
export async function forgetAssignment(accountId: number): Promise<void> {
  try {
    await run(KV, "readwrite", (s) => s.delete(`field:${accountId}`));
  } catch {
    // No IndexedDB (private mode): there was nothing kept.
  }
}

export async function recall<T>(key: string): Promise<T | undefined> {
  const row = await run<{ value: T } | undefined>(KV, "readonly", (s) => s.get(key));
  return row?.value;
}

/**
 * A photo made small on the phone before it travels: the longer side at most 1280 px, JPEG at 0.7 —
 * a 4 MB camera picture becomes some 150 KB. Returns base64 without the data: prefix.
 */
export async function compressPhoto(file: Blob, maxSide = 1280, quality = 0.7): Promise<string> {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  canvas.getContext("2d")!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const blob = await new Promise<Blob>((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("无法压缩照片"))), "image/jpeg", quality),
  );
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** The position if the phone gives it within a moment; never holds up a record. */
export function position(timeoutMs = 1500): Promise<QueuedRecord["location"] | undefined> {
  if (!("geolocation" in navigator)) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), timeoutMs + 200);
    navigator.geolocation.getCurrentPosition(
      (p) => {
        clearTimeout(timer);
        resolve({
          lat: p.coords.latitude,
          long: p.coords.longitude,
          accuracy: Math.min(100_000, Math.round(p.coords.accuracy)),
        });
      },
      () => {
        clearTimeout(timer);
        resolve(undefined);
      },
      { timeout: timeoutMs, maximumAge: 120_000 },
    );
  });
}

/**
 * Installs the service worker that keeps the app shell and the member's last assignment for offline use
 * (built by vite, served at /sw.js). Resolves when it controls this page.
 */
export async function installOffline(): Promise<boolean> {
  if (!("serviceWorker" in navigator)) return false;
  await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  await navigator.serviceWorker.ready;
  if (!navigator.serviceWorker.controller)
    await new Promise<void>((resolve) => {
      navigator.serviceWorker.addEventListener("controllerchange", () => resolve(), { once: true });
      setTimeout(resolve, 3000);
    });
  return !!navigator.serviceWorker.controller;
}
