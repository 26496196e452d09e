import { Button, Empty, Result, Skeleton } from "antd";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { ApiError } from "./api.ts";

export function PageLoading() {
  return (
    <div style={{ padding: 24 }} aria-busy="true">
      <Skeleton active paragraph={{ rows: 6 }} />
    </div>
  );
}

/** A failed request as a page: 403 → 无权访问, 404 → 记录不存在, 400 → 请求有误, otherwise the server's message. */
export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const status = error instanceof ApiError ? error.status : 0;
  const message = error instanceof Error ? error.message : String(error);
  if (status === 403)
    return (
      <Result
        status="403"
        title={<ResultTitle text={t("state.forbidden")} />}
        subTitle={message}
        extra={<HomeButton />}
      />
    );
  if (status === 404)
    return (
      <Result
        status="404"
        title={<ResultTitle text={t("state.notFound")} />}
        subTitle={message}
        extra={<HomeButton />}
      />
    );
  // A refused request (a bad id in the address bar, an over-long search): say what is wrong; retrying the
  // same request cannot help, so no retry button.
  if (status === 400 || status === 422)
    return (
      <Result
        status="warning"
        title={<ResultTitle text={t("state.invalid")} />}
        subTitle={
          <>
            <div>{message}</div>
            <div>{t("state.invalidHint")}</div>
          </>
        }
        extra={<HomeButton />}
      />
    );
  return (
    <Result
      status="error"
      title={<ResultTitle text={t("state.error")} />}
      subTitle={message}
      extra={onRetry ? <Button onClick={onRetry}>{t("state.retry")}</Button> : <HomeButton />}
    />
  );
}

function HomeButton() {
  const { t } = useTranslation();
  return (
    <Link to="/">
      <Button type="primary">{t("state.backHome")}</Button>
    </Link>
  );
}

export function EmptyState({ description }: { description?: string }) {
  const { t } = useTranslation();
  return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={description ?? t("state.empty")} />;
}

export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <Result status="404" title={<ResultTitle text={t("state.pageNotFound")} />} extra={<HomeButton />} />
  );
}

/** Result titles as real headings, so assistive technology (and the browser tests) find them. */
function ResultTitle({ text }: { text: string }) {
  return <h1 style={{ font: "inherit", margin: 0, color: "inherit" }}>{text}</h1>;
}
