import { AimOutlined, CameraOutlined, CloseOutlined } from "@ant-design/icons";
import { Button, Flex, Typography } from "antd";
import { useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { apiUpload } from "./api.ts";

// Evidence from the field, for a visit or a grid worker's own report: an optional location check-in (the
// phone's position, asked for only when the worker taps) and photos, uploaded after the record is saved.
// The server keeps only the re-encoded picture: EXIF, the GPS position inside the file included, is dropped.

export interface CheckIn {
  lat: number;
  long: number;
  accuracy: number;
}

export interface Evidence {
  location: CheckIn | null;
  photos: File[];
}

export const NO_EVIDENCE: Evidence = { location: null, photos: [] };

/** Uploads the photos one by one to `url`; answers how many were stored and the first refusal, if any. */
export async function uploadPhotos(url: string, photos: File[]): Promise<{ stored: number; error?: string }> {
  let stored = 0;
  for (const p of photos) {
    try {
      await apiUpload(`${url}?filename=${encodeURIComponent(p.name.slice(0, 200))}`, p);
      stored++;
    } catch (e) {
      return { stored, error: e instanceof Error ? e.message : String(e) };
    }
  }
  return { stored };
}

export function EvidenceFields({
  value,
  onChange,
  maxPhotos,
}: {
  value: Evidence;
  onChange: (v: Evidence) => void;
  maxPhotos: number;
}) {
  const { t } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  const [locating, setLocating] = useState(false);
  const [locError, setLocError] = useState<string | null>(null);
  const previews = useMemo(() => value.photos.map((f) => URL.createObjectURL(f)), [value.photos]);
  useEffect(
    () => () => {
      for (const u of previews) URL.revokeObjectURL(u);
    },
    [previews],
  );

  function checkIn() {
    if (!navigator.geolocation) {
      setLocError(t("evidence.noGeolocation"));
      return;
    }
    setLocating(true);
    setLocError(null);
    navigator.geolocation.getCurrentPosition(
      (p) => {
        setLocating(false);
        onChange({
          ...value,
          location: {
            lat: Math.round(p.coords.latitude * 1e6) / 1e6,
            long: Math.round(p.coords.longitude * 1e6) / 1e6,
            accuracy: Math.round(p.coords.accuracy),
          },
        });
      },
      () => {
        setLocating(false);
        setLocError(t("evidence.locationDenied"));
      },
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 60_000 },
    );
  }

  return (
    <Flex vertical gap={8} style={{ marginBottom: 16 }} data-testid="evidence">
      <Typography.Text strong>{t("evidence.title")}</Typography.Text>
      <Flex gap={8} wrap align="center">
        <Button
          icon={<AimOutlined />}
          size="large"
          loading={locating}
          onClick={checkIn}
          data-action="check-in"
        >
          {value.location ? t("evidence.checkInAgain") : t("evidence.checkIn")}
        </Button>
        {value.location && (
          <Typography.Text type="success" data-testid="check-in">
            {t("evidence.checkedIn", {
              lat: value.location.lat.toFixed(5),
              long: value.location.long.toFixed(5),
              accuracy: value.location.accuracy,
            })}
          </Typography.Text>
        )}
        {locError && <Typography.Text type="danger">{locError}</Typography.Text>}
      </Flex>
      <Flex gap={8} wrap align="center">
        <Button
          icon={<CameraOutlined />}
          size="large"
          disabled={value.photos.length >= maxPhotos}
          onClick={() => input.current?.click()}
        >
          {t("evidence.addPhoto")}
        </Button>
        <input
          ref={input}
          type="file"
          accept="image/jpeg,image/png,image/webp,image/gif"
          capture="environment"
          multiple
          hidden
          // The attribute alone loses to the stylesheet's input rules: the button above is the picker.
          style={{ display: "none" }}
          aria-label={t("evidence.addPhoto")}
          data-testid="photo-input"
          onChange={(e) => {
            const files = Array.from(e.target.files ?? []);
            e.target.value = "";
            onChange({ ...value, photos: [...value.photos, ...files].slice(0, maxPhotos) });
          }}
        />
        <Typography.Text type="secondary">
          {t("evidence.photoCount", { count: value.photos.length, max: maxPhotos })}
        </Typography.Text>
      </Flex>
      {previews.length > 0 && (
        <Flex gap={6} wrap data-testid="photo-previews">
          {previews.map((src, i) => (
            <div key={src} style={{ position: "relative" }}>
              <img
                src={src}
                alt={t("evidence.photoAlt", { n: i + 1 })}
                style={{ width: 64, height: 64, objectFit: "cover", borderRadius: 6 }}
              />
              <Button
                size="small"
                shape="circle"
                icon={<CloseOutlined />}
                aria-label={t("evidence.removePhoto", { n: i + 1 })}
                style={{ position: "absolute", top: -6, right: -6 }}
                onClick={() => onChange({ ...value, photos: value.photos.filter((_, j) => j !== i) })}
              />
            </div>
          ))}
        </Flex>
      )}
    </Flex>
  );
}
