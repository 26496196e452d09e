import { CameraOutlined, DeleteOutlined, PictureOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Flex, Image, Spin, Typography } from "antd";
import { useEffect, useId, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { type Attachment, api, apiUpload } from "../../app/api.ts";

export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;

/** Checks a picked file before it is sent: images only, ≤ 10 MB (the server checks again). */
export function photoProblem(file: File, t: (k: string) => string): string | null {
  if (!file.type.startsWith("image/")) return t("photo.notImage");
  if (file.size > MAX_PHOTO_BYTES) return t("photo.tooBig");
  return null;
}

export async function uploadPhotos(orderId: number, files: File[]): Promise<Attachment[]> {
  const out: Attachment[] = [];
  for (const f of files) {
    out.push(
      await apiUpload<Attachment>(
        `/api/orders/${orderId}/attachments?filename=${encodeURIComponent(f.name || "photo.jpg")}`,
        f,
      ),
    );
  }
  return out;
}

/**
 * Photo picker for forms: on a phone `capture` opens the camera. Shows thumbnails of what was picked;
 * the form uploads them when it is submitted.
 */
export function PhotoPicker({ value, onChange }: { value?: File[]; onChange?: (files: File[]) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const files = value ?? [];
  const urls = useMemo(() => files.map((f) => URL.createObjectURL(f)), [files]);
  useEffect(
    () => () => {
      for (const u of urls) URL.revokeObjectURL(u);
    },
    [urls],
  );

  return (
    <Flex vertical gap={8}>
      <input
        ref={input}
        id={id}
        type="file"
        accept="image/*"
        capture="environment"
        multiple
        aria-label={t("photo.pick")}
        style={{ display: "none" }}
        onChange={(e) => {
          const picked = Array.from(e.target.files ?? []);
          e.target.value = "";
          const bad = picked.map((f) => photoProblem(f, t)).find(Boolean);
          setProblem(bad ?? null);
          onChange?.([...files, ...picked.filter((f) => !photoProblem(f, t))]);
        }}
      />
      <Button icon={<CameraOutlined />} size="large" onClick={() => input.current?.click()} block>
        {t("photo.pick")}
      </Button>
      {problem && <Alert type="error" showIcon title={problem} />}
      {files.length > 0 && (
        <Flex gap={8} wrap>
          {files.map((f, i) => (
            <div key={urls[i]} className="gk-photo-thumb">
              <img src={urls[i]} alt={f.name} />
              <Button
                size="small"
                type="text"
                danger
                icon={<DeleteOutlined />}
                aria-label={t("photo.remove")}
                onClick={() => onChange?.(files.filter((_, j) => j !== i))}
              />
            </div>
          ))}
        </Flex>
      )}
    </Flex>
  );
}

/** An order's photos, with an upload button for people who may act on it. */
export function OrderPhotos({ orderId, canUpload }: { orderId: number; canUpload: boolean }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const list = useQuery({
    queryKey: ["order", orderId, "attachments"],
    queryFn: () => api<{ items: Attachment[] }>(`/api/orders/${orderId}/attachments`),
  });

  async function upload(files: File[]) {
    setError(null);
    const bad = files.map((f) => photoProblem(f, t)).find(Boolean);
    if (bad) {
      setError(bad);
      return;
    }
    setBusy(true);
    try {
      await uploadPhotos(orderId, files);
      await qc.invalidateQueries({ queryKey: ["order", orderId, "attachments"] });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Flex vertical gap={12}>
      {error && <Alert type="error" showIcon title={error} closable={{ onClose: () => setError(null) }} />}
      {list.isPending ? (
        <Spin />
      ) : list.error ? (
        <Alert type="error" showIcon title={list.error.message} />
      ) : list.data.items.length === 0 ? (
        <Typography.Text type="secondary">{t("photo.none")}</Typography.Text>
      ) : (
        <Image.PreviewGroup>
          <Flex gap={8} wrap data-testid="order-photos">
            {list.data.items.map((a) => (
              <Image
                key={a.id}
                src={`/api/attachments/${a.id}`}
                alt={a.filename}
                width={112}
                height={112}
                style={{ objectFit: "cover", borderRadius: 6 }}
              />
            ))}
          </Flex>
        </Image.PreviewGroup>
      )}
      {canUpload && (
        <>
          <input
            ref={input}
            type="file"
            accept="image/*"
            capture="environment"
            multiple
            aria-label={t("photo.upload")}
            style={{ display: "none" }}
            onChange={(e) => {
              const files = Array.from(e.target.files ?? []);
              e.target.value = "";
              if (files.length) void upload(files);
            }}
          />
          <Button icon={<PictureOutlined />} loading={busy} onClick={() => input.current?.click()}>
            {t("photo.upload")}
          </Button>
        </>
      )}
    </Flex>
  );
}
