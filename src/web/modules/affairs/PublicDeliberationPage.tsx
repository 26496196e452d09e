import { ApartmentOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Descriptions, Flex, Radio, Table, Tag, Typography } from "antd";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useParams } from "react-router";
import { ApiError, api } from "../../app/api.ts";
import { LangSwitch } from "../../app/Shell.tsx";
import { formatTime } from "../../app/time.ts";
import type { PublicTopic } from "./common.tsx";
import { PhoneVerify } from "./PhoneVerify.tsx";
import "../workOrders/workOrders.css";

/** What a community decided on a topic and how each agreed action stands (no names, phones or flats). */
export default function PublicDeliberationPage() {
  const { t } = useTranslation();
  const { id } = useParams();
  const [d, setD] = useState<PublicTopic | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () =>
    api<PublicTopic>(`/api/public/affairs/deliberations/${id}`)
      .then(setD)
      .catch((e) => setError(e instanceof Error ? e.message : String(e)));
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload when the topic changes
  useEffect(() => {
    void load();
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
        {d?.voteOpen && d.voteQuestion && (
          <VoteBox
            topicId={d.id}
            question={d.voteQuestion}
            options={d.votes.map((v) => v.option)}
            onVoted={load}
          />
        )}
      </div>
    </div>
  );
}

/** A household's own vote: a phone registered in the community proves it, then one vote per household. */
function VoteBox({
  topicId,
  question,
  options,
  onVoted,
}: {
  topicId: number;
  question: string;
  options: string[];
  onVoted: () => void;
}) {
  const { t } = useTranslation();
  const [pass, setPass] = useState<string | null>(null);
  const [option, setOption] = useState<string | null>(null);
  const [msg, setMsg] = useState<{ type: "error" | "success" | "info"; text: string } | null>(null);
  const fail = (e: unknown) => setMsg({ type: "error", text: e instanceof ApiError ? e.message : String(e) });
  return (
    <Card size="small" title={t("affairs.w.voteTitle")}>
      <Flex vertical gap={8}>
        <Typography.Text strong>{question}</Typography.Text>
        <Typography.Text type="secondary">{t("affairs.w.voteHint")}</Typography.Text>
        {msg && <Alert type={msg.type} title={msg.text} />}
        {!pass ? (
          <PhoneVerify
            purpose="deliberation_vote"
            onPass={(p) => {
              setPass(p);
              setMsg(null);
            }}
            onInfo={(text) => setMsg({ type: "success", text })}
            onError={fail}
          />
        ) : (
          <Flex vertical gap={8}>
            <Radio.Group
              value={option}
              onChange={(e) => setOption(e.target.value)}
              options={options.map((o) => ({ value: o, label: o }))}
            />
            <Button
              type="primary"
              disabled={!option}
              onClick={async () => {
                try {
                  await api(`/api/public/affairs/deliberations/${topicId}/votes`, {
                    method: "POST",
                    body: { pass, option },
                  });
                  setMsg({ type: "success", text: t("affairs.w.voted") });
                  onVoted();
                } catch (e) {
                  fail(e);
                }
              }}
            >
              {t("affairs.w.submitVote")}
            </Button>
          </Flex>
        )}
      </Flex>
    </Card>
  );
}
