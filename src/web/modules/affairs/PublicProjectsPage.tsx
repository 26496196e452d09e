import { ApartmentOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Flex, List, Progress, Radio, Select, Space, Tag, Typography } from "antd";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { ApiError, api } from "../../app/api.ts";
import { LangSwitch } from "../../app/Shell.tsx";
import { type PublicArchive, type PublicList, pct, yuan } from "./common.tsx";
import { PhoneVerify } from "./PhoneVerify.tsx";
import "../workOrders/workOrders.css";

// The public list 列单-晒单-评单: a street's or community's projects for a quarter with progress photos and
// satisfaction; a resident rates each project once after verifying their phone with a one-time code. No
// account, and nothing on the page names a person or a flat.

export default function PublicProjectsPage() {
  const { t } = useTranslation();
  const { unitId } = useParams();
  const [quarter, setQuarter] = useState<string | undefined>();
  const [data, setData] = useState<PublicList | null>(null);
  const [topics, setTopics] = useState<{ id: number; title: string; state: string }[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [pass, setPass] = useState<string | null>(null);
  const [rating, setRating] = useState<number | null>(null);
  const [archive, setArchive] = useState<PublicArchive["items"]>([]);
  const load = async (q?: string) => {
    try {
      setData(
        await api<PublicList>(`/api/public/affairs/projects?unit=${unitId}${q ? `&quarter=${q}` : ""}`),
      );
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload when the unit or quarter changes
  useEffect(() => {
    void load(quarter);
  }, [unitId, quarter]);
  useEffect(() => {
    api<PublicArchive>(`/api/public/affairs/archive?unit=${unitId}`)
      .then((r) => setArchive(r.items))
      .catch(() => setArchive([]));
  }, [unitId]);
  useEffect(() => {
    api<{ items: { id: number; title: string; state: string }[] }>(
      `/api/public/affairs/deliberations?unit=${unitId}`,
    )
      .then((r) => setTopics(r.items))
      .catch(() => setTopics([]));
  }, [unitId]);
  return (
    <div className="gk-public">
      <div className="gk-public-inner">
        <Flex align="center" justify="space-between">
          <span className="gk-logo gk-logo-inline">
            <ApartmentOutlined /> {t("app.name")}
          </span>
          <LangSwitch size="small" />
        </Flex>
        <Card>
          <Typography.Title level={1} style={{ fontSize: 22, marginTop: 0 }}>
            {data?.unit.name ?? ""} {t("affairs.publicTitle")}
          </Typography.Title>
          {error && <Alert type="error" title={error} />}
          {data && (
            <Space wrap>
              <Select
                value={data.quarter}
                style={{ width: 110 }}
                aria-label={t("affairs.quarter")}
                onChange={setQuarter}
                options={data.quarters.map((q) => ({ value: q, label: q }))}
              />
              <span>
                {t("affairs.satisfaction")} {pct(data.tally.rate)}（{data.tally.rated} {t("affairs.w.raters")}
                ）
              </span>
            </Space>
          )}
          {data?.closedAt && (
            <Alert
              style={{ marginTop: 8 }}
              type="info"
              title={`${t("affairs.w.closedNotice")}（${t("affairs.w.closedAt")} ${data.closedAt.slice(0, 10)}）`}
            />
          )}
        </Card>
        {data?.items.map((p) => (
          <Card
            key={p.id}
            size="small"
            title={p.title}
            extra={<Tag>{t(`affairs.projectState.${p.state}`)}</Tag>}
          >
            <Flex vertical gap={6}>
              <span>{p.description}</span>
              <span style={{ color: "#666" }}>
                {t("affairs.owner")}：{p.owner} · {t("affairs.budget")}：{yuan(p.budget)} ·{" "}
                {t("affairs.deadline")}：{p.deadline}
              </span>
              <Progress percent={p.progress} size="small" />
              {p.updates.map((u) => (
                <div key={u.id} style={{ fontSize: 13 }}>
                  {u.createdAt.slice(0, 10)} {u.note}
                  <Flex gap={6} wrap>
                    {u.photoIds.map((id) => (
                      <img
                        key={id}
                        src={`/api/public/affairs/photos/${id}`}
                        alt={t("affairs.photo")}
                        style={{ maxHeight: 90, maxWidth: "45%" }}
                      />
                    ))}
                  </Flex>
                </div>
              ))}
              <Space wrap>
                <span>
                  {t("affairs.satisfaction")} {pct(p.tally.rate)}（{p.tally.rated}）
                </span>
                {!data.closedAt && (
                  <Button size="small" type="primary" onClick={() => setRating(p.id)}>
                    {t("affairs.rate")}
                  </Button>
                )}
              </Space>
              {rating === p.id && (
                <RateBox
                  projectId={p.id}
                  pass={pass}
                  onPass={setPass}
                  onRated={async () => {
                    setRating(null);
                    await load(quarter);
                  }}
                />
              )}
            </Flex>
          </Card>
        ))}
        {archive.length > 0 && (
          <Card size="small" title={t("affairs.w.pastQuarters")}>
            <List
              size="small"
              dataSource={archive}
              renderItem={(q) => (
                <List.Item
                  actions={[
                    <Button key="v" size="small" type="link" onClick={() => setQuarter(q.quarter)}>
                      {t("affairs.w.viewQuarter")}
                    </Button>,
                  ]}
                >
                  <span>
                    {q.quarter} · {t("affairs.w.projects")} {q.projects} · {t("affairs.w.done")} {q.done} ·{" "}
                    {t("affairs.satisfaction")} {pct(q.tally.rate)}（{q.tally.rated} {t("affairs.w.raters")}）
                  </span>
                </List.Item>
              )}
            />
          </Card>
        )}
        {topics.length > 0 && (
          <Card size="small" title={t("affairs.w.deliberation")}>
            <List
              size="small"
              dataSource={topics}
              renderItem={(d) => (
                <List.Item>
                  <Link to={`/deliberations/${d.id}`}>{d.title}</Link>
                  <Tag>{t(`affairs.topicState.${d.state}`)}</Tag>
                </List.Item>
              )}
            />
          </Card>
        )}
      </div>
    </div>
  );
}

function RateBox({
  projectId,
  pass,
  onPass,
  onRated,
}: {
  projectId: number;
  pass: string | null;
  onPass: (p: string) => void;
  onRated: () => void;
}) {
  const { t } = useTranslation();
  const [satisfaction, setSatisfaction] = useState("satisfied");
  const [msg, setMsg] = useState<{ type: "error" | "success"; text: string } | null>(null);
  const run = async (fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (e) {
      setMsg({ type: "error", text: e instanceof ApiError ? e.message : String(e) });
    }
  };
  return (
    <Card size="small" style={{ background: "#fafafa" }}>
      {msg && <Alert type={msg.type} title={msg.text} style={{ marginBottom: 8 }} />}
      {!pass ? (
        <PhoneVerify
          purpose="project_rating"
          onPass={(p) => {
            onPass(p);
            setMsg(null);
          }}
          onInfo={(text) => setMsg({ type: "success", text })}
          onError={(e) => setMsg({ type: "error", text: e instanceof ApiError ? e.message : String(e) })}
        />
      ) : (
        <Flex vertical gap={8}>
          <Radio.Group
            value={satisfaction}
            onChange={(e) => setSatisfaction(e.target.value)}
            options={["satisfied", "basically_satisfied", "unsatisfied"].map((s) => ({
              value: s,
              label: t(`affairs.${s}`),
            }))}
          />
          <Button
            type="primary"
            onClick={() =>
              run(async () => {
                await api(`/api/public/affairs/projects/${projectId}/ratings`, {
                  method: "POST",
                  body: { pass, satisfaction },
                });
                setMsg({ type: "success", text: t("affairs.thanks") });
                onRated();
              })
            }
          >
            {t("affairs.w.submitRating")}
          </Button>
        </Flex>
      )}
    </Card>
  );
}
