import { Button, Form, Input, Space } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../app/api.ts";

/**
 * A phone proven by a one-time code (the platform's codes, for rating a project or voting in a deliberation):
 * the phone, 获取验证码, the code, 验证 — and the pass the server gives for it. Errors go to `onError`.
 */
export function PhoneVerify({
  purpose,
  onPass,
  onInfo,
  onError,
}: {
  purpose: "project_rating" | "deliberation_vote";
  onPass: (pass: string) => void;
  onInfo: (text: string) => void;
  onError: (e: unknown) => void;
}) {
  const { t } = useTranslation();
  const [phone, setPhone] = useState("");
  const [code, setCode] = useState("");
  const [sent, setSent] = useState(false);
  const run = async (fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (e) {
      onError(e);
    }
  };
  return (
    <Form layout="vertical">
      <Form.Item label={t("affairs.phone")}>
        <Space.Compact style={{ width: "100%" }}>
          <Input
            value={phone}
            inputMode="numeric"
            maxLength={11}
            onChange={(e) => setPhone(e.target.value)}
            aria-label={t("affairs.phone")}
          />
          <Button
            onClick={() =>
              run(async () => {
                await api("/api/public/affairs/codes", { method: "POST", body: { phone, purpose } });
                setSent(true);
                onInfo(t("affairs.w.codeSent"));
              })
            }
          >
            {t("affairs.getCode")}
          </Button>
        </Space.Compact>
      </Form.Item>
      {sent && (
        <Form.Item label={t("affairs.code")}>
          <Space.Compact style={{ width: "100%" }}>
            <Input
              value={code}
              inputMode="numeric"
              maxLength={6}
              onChange={(e) => setCode(e.target.value)}
              aria-label={t("affairs.code")}
            />
            <Button
              type="primary"
              onClick={() =>
                run(async () => {
                  const r = await api<{ pass: string }>("/api/public/affairs/codes/verify", {
                    method: "POST",
                    body: { phone, code, purpose },
                  });
                  onPass(r.pass);
                })
              }
            >
              {t("affairs.verify")}
            </Button>
          </Space.Compact>
        </Form.Item>
      )}
    </Form>
  );
}
