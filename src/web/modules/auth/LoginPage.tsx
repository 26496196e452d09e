import { ApartmentOutlined, LockOutlined, UserOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Form, Input, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Navigate, useNavigate, useSearchParams } from "react-router";
import { ApiError } from "../../app/api.ts";
import { sessionExpiredReason, useAuth } from "../../app/auth.tsx";
import { LangSwitch } from "../../app/Shell.tsx";

function safeNext(next: string | null): string {
  return next?.startsWith("/") && !next.startsWith("//") ? next : "/";
}

export default function LoginPage() {
  const { t } = useTranslation();
  const { me, login } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // After a session ended mid-work: why the password is asked again, and that the draft is safe.
  const [expired] = useState(sessionExpiredReason);

  if (me) return <Navigate to={safeNext(params.get("next"))} replace />;

  async function submit(v: { username: string; password: string }) {
    setBusy(true);
    setError(null);
    try {
      await login(v.username.trim(), v.password);
      navigate(safeNext(params.get("next")), { replace: true });
    } catch (e) {
      if (e instanceof ApiError && e.status === 429) {
        const s = Number((e.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds ?? 60);
        const time =
          s >= 60 ? t("time.minutes", { count: Math.ceil(s / 60) }) : t("time.seconds", { count: s });
        setError(t("login.locked", { time }));
      } else setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="gk-login">
      <div style={{ position: "absolute", top: 16, right: 16 }}>
        <LangSwitch />
      </div>
      <Card style={{ width: "100%", maxWidth: 400 }}>
        <Typography.Title level={3} style={{ textAlign: "center", color: "#1668dc" }}>
          <ApartmentOutlined /> {t("app.name")}
        </Typography.Title>
        <Typography.Paragraph type="secondary" style={{ textAlign: "center" }}>
          {t("app.subtitle")}
        </Typography.Paragraph>
        <Typography.Title level={4} style={{ marginTop: 0 }}>
          {t("login.title")}
        </Typography.Title>
        {expired && !error && (
          <Alert
            type="warning"
            showIcon
            data-testid="session-expired"
            title={t(expired === "draft" ? "session.expiredDraft" : "session.expired")}
            style={{ marginBottom: 16 }}
          />
        )}
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} role="alert" />}
        <Form layout="vertical" onFinish={submit} requiredMark={false} size="large">
          <Form.Item
            label={t("login.username")}
            name="username"
            rules={[{ required: true, whitespace: true, message: t("login.usernameRequired") }]}
          >
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item
            label={t("login.password")}
            name="password"
            rules={[{ required: true, message: t("login.passwordRequired") }]}
          >
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>
            {t("login.submit")}
          </Button>
        </Form>
        <Typography.Paragraph type="secondary" style={{ marginTop: 16, fontSize: 12 }}>
          {t("login.demoHint")}
        </Typography.Paragraph>
      </Card>
    </div>
  );
}
