import { LeftOutlined, LinkOutlined, PhoneOutlined, RightOutlined, UserAddOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Flex, Form, Grid, Input, Select, Table, Tag, Typography } from "antd";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { type Answer, api, type BodyOf, type CareTeam, type CareTeamMember, qs } from "../../app/api.ts";
import { useAuth } from "../../app/auth.tsx";
import { EmptyState, ErrorState, PageLoading } from "../../app/states.tsx";
import { useFormSubmit, useScopeOrg } from "./common.tsx";
import "./care.css";

const ROLES = ["staff", "doctor", "volunteer", "police"] as const;
const SHIFTS = ["day", "night"] as const;

/** "YYYY-MM-DD" plus n days, on the calendar (no time zone involved). */
function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to && out.length < 93; d = addDays(d, 1)) out.push(d);
  return out;
}

/** 爱心专班: the community's members, the week's 白班/晚班 roster and its gaps; opens the public page. */
export default function TeamsPage() {
  const { t } = useTranslation();
  const phone = Grid.useBreakpoint().md === false;
  const { org } = useScopeOrg();
  const [params, setParams] = useSearchParams();
  const unit = useQuery({
    queryKey: ["org", org],
    queryFn: () => api<Answer<"/api/orgs/{id}">>(`/api/orgs/${org}`),
  });
  const community =
    unit.data?.unit.kind === "community"
      ? unit.data.unit.id
      : unit.data?.breadcrumb.find((c) => c.kind === "community")?.id;
  const children = useQuery({
    queryKey: ["orgs", "children", org],
    queryFn: () => api<Answer<"/api/orgs">>(`/api/orgs${qs({ parent: org })}`),
    enabled: !!unit.data && !community,
  });

  const title = (
    <Typography.Title level={phone ? 3 : 2} style={{ margin: 0 }}>
      {t("care.teams.title")}
    </Typography.Title>
  );
  if (unit.isPending) return <PageLoading />;
  if (unit.error) return <ErrorState error={unit.error} onRetry={() => unit.refetch()} />;
  if (!community)
    return (
      <Flex vertical gap={12}>
        {title}
        <Alert type="info" showIcon title={t("care.teams.pickCommunity")} />
        <Flex gap={8} wrap>
          {(children.data?.items ?? []).map((c) => (
            <Button
              key={c.id}
              onClick={() => {
                const next = new URLSearchParams(params);
                next.set("org", String(c.id));
                setParams(next);
              }}
            >
              {c.name}
            </Button>
          ))}
        </Flex>
      </Flex>
    );
  return <Team communityId={community} title={title} />;
}

function Team({ communityId, title }: { communityId: number; title: React.ReactNode }) {
  const { t } = useTranslation();
  const { can } = useAuth();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const manage = can("care.manage");
  const [from, setFrom] = useState<string | undefined>();
  const team = useQuery({
    queryKey: ["care", "team", communityId, from],
    queryFn: () =>
      api<CareTeam>(`/api/care/teams/${communityId}${qs({ from, to: from ? addDays(from, 6) : undefined })}`),
  });
  /** The roster being edited: "date|shift" → member ids. */
  const [draft, setDraft] = useState<Record<string, number[]>>({});
  const [saving, setSaving] = useState(false);
  useEffect(() => {
    if (!team.data) return;
    const d: Record<string, number[]> = {};
    for (const e of team.data.roster) {
      const key = `${e.date}|${e.shift}`;
      d[key] = [...(d[key] ?? []), e.memberId];
    }
    setDraft(d);
  }, [team.data]);

  if (team.isPending) return <PageLoading />;
  if (team.error) return <ErrorState error={team.error} onRetry={() => team.refetch()} />;
  const tm = team.data;
  const byId = new Map(tm.members.map((m) => [m.id, m]));
  const days = datesBetween(tm.from, tm.to);
  const gapOf = new Map(tm.gaps.map((g) => [`${g.date}|${g.shift}`, g]));

  async function save() {
    setSaving(true);
    try {
      const entries = Object.entries(draft).flatMap(([k, ids]) => {
        const [date, shift] = k.split("|");
        return ids.map((memberId) => ({
          date,
          shift: shift as RosterBody["entries"][number]["shift"],
          memberId,
        }));
      });
      await api(`/api/care/teams/${communityId}/roster`, {
        method: "PUT",
        body: { from: tm.from, to: tm.to, entries } satisfies RosterBody,
      });
      void message.success(t("care.teams.saved"));
      await qc.invalidateQueries({ queryKey: ["care", "team", communityId] });
    } catch (e) {
      void message.error(e instanceof Error ? e.message : String(e));
    } finally {
      setSaving(false);
    }
  }

  return (
    <Flex vertical gap={16}>
      <Flex align="center" gap={8} wrap>
        {title}
        <Typography.Text type="secondary">{tm.community.name}</Typography.Text>
        <Link to={`/duty/${communityId}`} target="_blank" style={{ marginLeft: "auto" }}>
          <LinkOutlined /> {t("care.teams.publicPage")}
        </Link>
      </Flex>

      <Card
        title={t("care.teams.members")}
        size="small"
        extra={manage && <AddMember communityId={communityId} />}
      >
        {tm.members.length === 0 ? (
          <EmptyState description={t("care.teams.noMembers")} />
        ) : (
          <Table<CareTeamMember>
            size="small"
            rowKey="id"
            pagination={false}
            dataSource={tm.members}
            data-testid="team-members"
            columns={[
              {
                title: t("care.teams.role"),
                dataIndex: "teamRole",
                render: (r: string, m) => t(`care.teamRole.${r}`, { defaultValue: m.teamRoleLabel }),
              },
              { title: t("resident.name"), dataIndex: "name" },
              {
                title: t("care.teams.phone"),
                dataIndex: "phone",
                render: (p: string) => (
                  <a href={`tel:${p}`}>
                    <PhoneOutlined /> {p}
                  </a>
                ),
              },
            ]}
          />
        )}
      </Card>

      <Card
        title={t("care.teams.roster", { from: tm.from, to: tm.to })}
        size="small"
        extra={
          <Flex gap={8}>
            <Button
              size="small"
              icon={<LeftOutlined />}
              aria-label={t("care.teams.prevWeek")}
              onClick={() => setFrom(addDays(tm.from, -7))}
            />
            <Button
              size="small"
              icon={<RightOutlined />}
              aria-label={t("care.teams.nextWeek")}
              onClick={() => setFrom(addDays(tm.from, 7))}
            />
            {manage && (
              <Button size="small" type="primary" loading={saving} onClick={save}>
                {t("care.teams.saveRoster")}
              </Button>
            )}
          </Flex>
        }
      >
        <Typography.Paragraph type="secondary" style={{ marginTop: 0 }}>
          {t("care.teams.shiftHours")}
        </Typography.Paragraph>
        <Table
          size="small"
          rowKey="date"
          pagination={false}
          data-testid="roster"
          scroll={{ x: "max-content" }}
          dataSource={days.map((date) => ({ date }))}
          columns={[
            { title: t("care.teams.date"), dataIndex: "date", width: 110 },
            ...SHIFTS.map((shift) => ({
              title: t(`care.shift.${shift}`),
              key: shift,
              render: (_: unknown, row: { date: string }) => {
                const key = `${row.date}|${shift}`;
                const ids = draft[key] ?? [];
                const gap = gapOf.get(key);
                return (
                  <Flex vertical gap={4} style={{ minWidth: 240 }}>
                    {manage ? (
                      <Select
                        mode="multiple"
                        aria-label={`${row.date} ${t(`care.shift.${shift}`)}`}
                        value={ids}
                        onChange={(v: number[]) => setDraft((d) => ({ ...d, [key]: v }))}
                        options={tm.members.map((m) => ({
                          value: m.id,
                          label: m.name,
                          role: t(`care.teamRole.${m.teamRole}`, { defaultValue: m.teamRoleLabel }),
                        }))}
                        optionRender={(o) => `${o.data.role} ${o.data.label}`}
                        style={{ width: "100%" }}
                      />
                    ) : (
                      <Flex gap={4} wrap>
                        {ids.map((id) => (
                          <Tag key={id}>{byId.get(id)?.name}</Tag>
                        ))}
                      </Flex>
                    )}
                    {gap && (
                      <Typography.Text type="warning" style={{ fontSize: 12 }} data-testid="roster-gap">
                        {t("care.teams.missing", {
                          roles: gap.missing.map((r) => t(`care.teamRole.${r}`)).join("、"),
                        })}
                      </Typography.Text>
                    )}
                  </Flex>
                );
              },
            })),
          ]}
        />
      </Card>
    </Flex>
  );
}

type RosterBody = BodyOf<"/api/care/teams/{communityId}/roster", "put">;
type MemberBody = BodyOf<"/api/care/teams/{communityId}/members", "post">;
type MemberValues = Pick<MemberBody, "teamRole" | "name" | "phone">;

function AddMember({ communityId }: { communityId: number }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [form] = Form.useForm<MemberValues>();
  const { busy, error, run } = useFormSubmit(form, ["teamRole", "name", "phone"]);
  function add(v: MemberValues) {
    return run(async () => {
      await api(`/api/care/teams/${communityId}/members`, {
        method: "POST",
        body: { teamRole: v.teamRole, name: v.name ?? "", phone: v.phone ?? "" } satisfies MemberBody,
      });
      form.resetFields(["name", "phone"]);
      await qc.invalidateQueries({ queryKey: ["care", "team", communityId] });
    });
  }
  return (
    <Form<MemberValues>
      form={form}
      layout="inline"
      initialValues={{ teamRole: "staff" }}
      onFinish={add}
      size="small"
    >
      <Form.Item name="teamRole">
        <Select
          aria-label={t("care.teams.role")}
          style={{ width: 110 }}
          options={ROLES.map((r) => ({ value: r, label: t(`care.teamRole.${r}`) }))}
        />
      </Form.Item>
      <Form.Item name="name">
        <Input aria-label={t("resident.name")} placeholder={t("resident.name")} style={{ width: 100 }} />
      </Form.Item>
      <Form.Item name="phone">
        <Input
          aria-label={t("care.teams.phone")}
          placeholder={t("care.teams.phone")}
          style={{ width: 140 }}
        />
      </Form.Item>
      <Button htmlType="submit" icon={<UserAddOutlined />} loading={busy}>
        {t("care.teams.add")}
      </Button>
      {error && <Typography.Text type="danger">{error}</Typography.Text>}
    </Form>
  );
}
