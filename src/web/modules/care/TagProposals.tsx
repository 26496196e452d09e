import { useQuery, useQueryClient } from "@tanstack/react-query";
import { App as AntApp, Button, Card, Flex, Input, Select, Space, Table, Tag, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { type Answer, api } from "../../app/api.ts";
import { useAuth } from "../../app/auth.tsx";
import { formatDate } from "./common.tsx";

type Proposal = Answer<"/api/care/tag-proposals">["items"][number];

/**
 * 标签建议: tags proposed from outside the ledger (a door-knock found "独居"), waiting for a care role: confirm
 * on one resident of the household (the tag joins the ledger with source 走访核实) or reject. Shown only
 * when something waits.
 */
export function TagProposals() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const { message } = AntApp.useApp();
  const qc = useQueryClient();
  const [who, setWho] = useState<Record<number, number>>({});
  const [notes, setNotes] = useState<Record<number, string>>({});
  const [busy, setBusy] = useState<number | null>(null);
  const list = useQuery({
    queryKey: ["care", "tag-proposals"],
    queryFn: () => api<Answer<"/api/care/tag-proposals">>("/api/care/tag-proposals"),
  });
  const items = list.data?.items ?? [];
  if (!items.length) return null;
  const decide = async (p: Proposal, decision: "confirm" | "reject") => {
    setBusy(p.id);
    try {
      const residentId = who[p.id] ?? (p.residents.length === 1 ? p.residents[0].id : undefined);
      await api(`/api/care/tag-proposals/${p.id}/decision`, {
        method: "POST",
        body: {
          decision,
          ...(residentId ? { residentId } : {}),
          ...(notes[p.id] ? { note: notes[p.id] } : {}),
        },
      });
      void message.success(
        t(decision === "confirm" ? "care.proposals.confirmed" : "care.proposals.rejected"),
      );
      await qc.invalidateQueries({ queryKey: ["care"] });
    } catch (e) {
      void message.error(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(null);
    }
  };
  return (
    <Card
      size="small"
      data-testid="tag-proposals"
      title={
        <Space>
          {t("care.proposals.title")}
          <Tag color="orange">{items.length}</Tag>
        </Space>
      }
    >
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        {t("care.proposals.hint")}
      </Typography.Paragraph>
      <Table
        size="small"
        rowKey="id"
        pagination={{ pageSize: 10, size: "small" }}
        dataSource={items}
        scroll={{ x: true }}
        columns={[
          {
            title: t("care.proposals.tag"),
            dataIndex: "tagLabel",
            render: (v: string) => <Tag color="blue">{v}</Tag>,
          },
          { title: t("care.proposals.address"), dataIndex: "address" },
          {
            title: t("care.proposals.found"),
            key: "note",
            render: (_: unknown, p: Proposal) => (
              <Flex vertical>
                <span>{p.note}</span>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {p.proposedByName} · {formatDate(p.createdAt)}
                </Typography.Text>
              </Flex>
            ),
          },
          {
            title: t("care.proposals.resident"),
            key: "resident",
            render: (_: unknown, p: Proposal) => (
              <Select
                size="small"
                style={{ minWidth: 140 }}
                data-testid={`proposal-resident-${p.id}`}
                placeholder={t("care.proposals.pick")}
                value={who[p.id] ?? (p.residents.length === 1 ? p.residents[0].id : undefined)}
                onChange={(v: number) => setWho((s) => ({ ...s, [p.id]: v }))}
                options={p.residents.map((r) => ({
                  value: r.id,
                  label: `${r.name}${r.birthDate ? `（${r.birthDate.slice(0, 4)}）` : ""}${r.hasTag ? " ✓" : ""}`,
                }))}
              />
            ),
          },
          {
            title: t("care.proposals.decide"),
            key: "act",
            render: (_: unknown, p: Proposal) =>
              can("care.write") ? (
                <Space wrap>
                  <Input
                    size="small"
                    style={{ width: 140 }}
                    placeholder={t("care.proposals.note")}
                    value={notes[p.id] ?? ""}
                    onChange={(e) => setNotes((s) => ({ ...s, [p.id]: e.target.value }))}
                  />
                  <Button
                    size="small"
                    type="primary"
                    loading={busy === p.id}
                    data-testid={`proposal-confirm-${p.id}`}
                    onClick={() => void decide(p, "confirm")}
                  >
                    {t("care.proposals.confirm")}
                  </Button>
                  <Button
                    size="small"
                    danger
                    disabled={busy === p.id}
                    data-testid={`proposal-reject-${p.id}`}
                    onClick={() => void decide(p, "reject")}
                  >
                    {t("care.proposals.reject")}
                  </Button>
                </Space>
              ) : null,
          },
        ]}
      />
    </Card>
  );
}
