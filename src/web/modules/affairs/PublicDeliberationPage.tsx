import { ApartmentOutlined } from "@ant-design/icons";
import { Alert, Card, Descriptions, Flex, Table, Tag, Typography } from "antd";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useParams } from "react-router";
import { api } from "../../app/api.ts";
import { LangSwitch } from "../../app/Shell.tsx";
import { formatTime } from "../../app/time.ts";
import type { PublicTopic } from "./common.tsx";
import "../workOrders/workOrders.css";

/** What a community decided on a topic and how each agreed action stands (no names, phones or flats). */
export default function PublicDeliberationPage() {
  const { t } = useTranslation();
  const { id } = useParams();
  const [d, setD] = useState<PublicTopic | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<PublicTopic>(`/api/public/affairs/deliberations/${id}`)
      .then(setD)
      .catch((e) => setError(e instanceof Error ? e.message : String(e)));
  }, [id]);
  return (
    <div className="gk-public">
      <div className="gk-public-inner">
        <Flex align="center" justify="space-between">
          <span className="gk-logo gk-logo-inline">
            <ApartmentOutlined /> {t("app.name")}
          </span>
          <LangSwitch size="small" />
        </Flex>
        {error && <Alert type="error" title={error} />}
        {d && (
          <Card>
            <Typography.Title level={1} style={{ fontSize: 22, marginTop: 0 }}>
              {t("affairs.summaryTitle")}：{d.title}
            </Typography.Title>
            <Descriptions size="small" column={1} bordered>
              <Descriptions.Item label={t("affairs.w.community")}>{d.unitName}</Descriptions.Item>
              <Descriptions.Item label={t("affairs.background")}>{d.background}</Descriptions.Item>
              {d.meetingAt && (
                <Descriptions.Item label={t("affairs.w.meetingShort")}>
                  {formatTime(d.meetingAt)}
                </Descriptions.Item>
              )}
              {d.parties.length > 0 && (
                <Descriptions.Item label={t("affairs.w.parties")}>
                  {d.parties.map((p) => (
                    <Tag key={p.kind}>
                      {t(`affairs.party.${p.kind}`)} {p.count}
                    </Tag>
                  ))}
                </Descriptions.Item>
              )}
              {d.decision && (
                <Descriptions.Item label={t("affairs.decision")}>{d.decision}</Descriptions.Item>
              )}
              {d.voteQuestion && (
                <Descriptions.Item label={t("affairs.w.vote")}>
                  {d.voteQuestion}：
                  {d.votes.map((v) => `${v.option} ${v.votes} ${t("affairs.w.households")}`).join("，")}
                </Descriptions.Item>
              )}
            </Descriptions>
            <Table
              style={{ marginTop: 12 }}
              size="small"
              rowKey="id"
              pagination={false}
              dataSource={d.actions}
              columns={[
                { title: t("affairs.actions"), dataIndex: "title" },
                { title: t("affairs.owner"), dataIndex: "owner" },
                { title: t("affairs.w.deadlineShort"), dataIndex: "due" },
                {
                  title: t("affairs.w.progressCol"),
                  dataIndex: "status",
                  render: (s: string) => (
                    <Tag color={s === "done" ? "green" : s === "in_progress" ? "blue" : undefined}>
                      {t(`affairs.status.${s}`)}
                    </Tag>
                  ),
                },
              ]}
            />
          </Card>
        )}
      </div>
    </div>
  );
}
