import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FieldCrypto } from "../../platform/crypto.ts";
import { smsHttpTransport } from "./sms.ts";

// The SMS gateway adapter against a local receiver: what it posts, and that a refusal or silence is a failure
// (the caller retries it) rather than a message counted as sent.

describe("SMS HTTP transport", () => {
  const crypto = new FieldCrypto("sms-transport-test-secret");
  const got: { auth?: string; body: { phone: string; text: string; ref: string } }[] = [];
  let mode: "ok" | "refuse" | "silent" = "ok";
  const rx = http.createServer((req, res) => {
    let data = "";
    req.on("data", (c) => {
      data += c;
    });
    req.on("end", () => {
      if (mode === "silent") return;
      got.push({ auth: req.headers.authorization, body: JSON.parse(data) });
      res.writeHead(mode === "ok" ? 200 : 503).end("{}");
    });
  });
  let url = "";
  beforeAll(async () => {
    await new Promise<void>((r) => rx.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(rx.address() as { port: number }).port}/sms`;
  });
  afterAll(() => {
    rx.closeAllConnections();
    rx.close();
  });
  const message = (cipher: string | null) => ({
    id: 7,
    kind: "notice.3",
    title: "",
    body: "马女士您好，明天义诊",
    recipientOrgId: null,
    recipientAccountId: null,
    recipientPhoneCipher: cipher,
  });

  it("posts the decrypted phone, the signed text and a reference, with the bearer token", async () => {
    mode = "ok";
    const t = smsHttpTransport({ url, token: "k1" }, crypto);
    await Promise.all(Array.from({ length: 50 }, () => t.send(message(crypto.encrypt("13962900080")))));
    expect(got).toHaveLength(50);
    expect(got[0]).toEqual({
      auth: "Bearer k1",
      body: { phone: "13962900080", text: "【网格管家】马女士您好，明天义诊", ref: "notice.3:7" },
    });
  });

  it("fails on a refusal, on silence past the timeout, and on a message without a phone", async () => {
    const t = smsHttpTransport({ url, timeoutMs: 300 }, crypto);
    mode = "refuse";
    await expect(t.send(message(crypto.encrypt("13962900080")))).rejects.toThrow(/503/);
    mode = "silent";
    await expect(t.send(message(crypto.encrypt("13962900080")))).rejects.toThrow(/未应答/);
    await expect(t.send(message(null))).rejects.toThrow(/没有手机号/);
  });
});
