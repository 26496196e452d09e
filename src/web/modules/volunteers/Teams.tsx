import { useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  App,
  Button,
  Card,
  Drawer,
  Empty,
  Flex,
  Form,
  Input,
  Modal,
  Select,
  Space,
  Tag,
  Typography,
} from "antd";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, qs } from "../../app/api.ts";
import { useMe } from "../../app/auth.tsx";
import { useFormSubmit } from "../../app/forms.ts";
import { formatDate } from "../../app/time.ts";
import { OrgTreeSelect } from "../workOrders/OrgTreeSelect.tsx";
import { useActThen } from "./act.ts";
import type { VolMember, VolRoll, VolRollCandidate, VolRollMember, VolTeam } from "./common.ts";

// Teams 志愿队 and functional party branches 功能型党支部 per residential complex 小区: the desk's 队伍 tab (form a
// team, open its roll) and the roll itself, which a team's secretary also keeps from the phone (我的 → 我所在的队伍).
// Cards and lists, never wide tables: the roll is kept on a 390 px phone as often as at a desk.

/** Roles that may form teams and change rules (the server's `govern`: the community and the levels above it). */
export const GOVERNS = ["sysadmin", "commander", "community_admin"];

/**
 * The community a desk tab works on: a community's own account has it; a street or the district picks one
 * of its subtree. Answers the id (null until picked) and the picker to show (null when there is nothing to pick).
 */
export function useCommunity() {
  const { t } = useTranslation();
  const me = useMe();
  const own = me.org.kind === "community" ? me.org.id : null;
  const [picked, setPicked] = useState<number | null>(null);
  const picker =
    own === null ? (
      <div style={{ maxWidth: 320, width: "100%" }}>
        <OrgTreeSelect
          kinds={["community"]}
          value={picked}
          onChange={setPicked}
          placeholder={t("volunteers.teams.pickCommunity")}
        />
      </div>
    ) : null;
  return { communityId: own ?? picked, picker };
}

const useTeamAct = () => useActThen("teams");

/** Cards side by side on a desk, one column on a phone (never wider than the screen). */
const GRID = {
  display: "grid",
  gridTemplateColumns: "repeat(auto-fill, minmax(min(100%, 260px), 1fr))",
  gap: 10,
} as const;

/** The desk's 队伍 tab. */
export function TeamsTab() {
  const { t } = useTranslation();
  const me = useMe();
  const { communityId, picker } = useCommunity();
  const q = useQuery({
    queryKey: ["teams", "list", communityId],
    queryFn: () => api<{ items: VolTeam[] }>(`/api/volunteers/teams${qs({ communityId })}`),
    enabled: communityId !== null,
  });
  const [open, setOpen] = useState<number | null>(null);
  const items = q.data?.items ?? [];
  // Per 小区: the complex's branch and teams side by side.
  const complexes = [...new Set(items.map((x) => x.complex))];
  return (
    <Flex vertical gap={12}>
      {picker}
      {communityId !== null && GOVERNS.includes(me.role) && (
        <FormTeam communityId={communityId} complexes={complexes} />
      )}
      {communityId !== null && !q.isLoading && items.length === 0 && (
        <Empty description={t("volunteers.teams.empty")} />
      )}
      {complexes.map((c) => (
        <Flex key={c} vertical gap={8} data-testid="team-complex">
          <Typography.Title level={5} style={{ margin: 0 }}>
            {c}
          </Typography.Title>
          <div style={GRID}>
            {items
              .filter((x) => x.complex === c)
              .map((x) => (
                <TeamCard key={x.id} team={x} onOpen={() => setOpen(x.id)} />
              ))}
          </div>
        </Flex>
      ))}
      <RollDrawer id={open} onClose={() => setOpen(null)} />
    </Flex>
  );
}

function TeamCard({ team, onOpen }: { team: VolTeam; onOpen: () => void }) {
  const { t } = useTranslation();
  return (
    <Card
      size="small"
      data-testid="team-card"
      title={<Typography.Text style={{ whiteSpace: "normal" }}>{team.name}</Typography.Text>}
      extra={
        <Tag color={team.kind === "party_branch" ? "red" : "blue"} style={{ marginInlineEnd: 0 }}>
          {t(`volunteers.teams.teamKind.${team.kind}`)}
        </Tag>
      }
    >
      <Flex vertical gap={6}>
        <span>
          {t("volunteers.teams.secretary")}：<Typography.Text strong>{team.secretaryName}</Typography.Text>
        </span>
        <Space wrap size={4}>
          <Tag>{t("volunteers.teams.current", { n: team.size })}</Tag>
          <Tag>{t("volunteers.teams.partyOf", { n: team.partyMembers })}</Tag>
        </Space>
        <Button onClick={onOpen} block>
          {team.mine ? t("volunteers.teams.keepRoll") : t("volunteers.teams.openRoll")}
        </Button>
      </Flex>
    </Card>
  );
}

const TEAM_FIELDS = ["kind", "teamName", "complex", "secretaryMemberId"];

/** 组建: kind, name, complex, and a secretary from the community's confirmed members (the server checks the login). */
function FormTeam({ communityId, complexes }: { communityId: number; complexes: string[] }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm();
  const { busy, error, run } = useFormSubmit(form, TEAM_FIELDS);
  const [search, setSearch] = useState("");
  const members = useQuery({
    queryKey: ["teams", "secretaries", search],
    queryFn: () =>
      api<{ items: VolMember[] }>(`/api/volunteers/members${qs({ state: "confirmed", q: search.trim() })}`),
  });
  return (
    <Card size="small" title={t("volunteers.teams.form")}>
      <Form
        form={form}
        layout="vertical"
        initialValues={{ kind: "party_branch" }}
        onFinish={(v) =>
          run(async () => {
            await api("/api/volunteers/teams", {
              method: "POST",
              body: {
                communityId,
                kind: v.kind,
                teamName: String(v.teamName ?? "").trim(),
                complex: String(v.complex ?? "").trim(),
                secretaryMemberId: v.secretaryMemberId,
              },
            });
            message.success(`${t("volunteers.teams.formed")}：${String(v.teamName).trim()}`);
            form.resetFields(["teamName", "secretaryMemberId"]);
            await qc.invalidateQueries({ queryKey: ["teams"] });
          })
        }
      >
        <Flex gap={12} wrap>
          <Form.Item
            name="kind"
            label={t("volunteers.teams.kind")}
            style={{ minWidth: 160, flex: "1 1 160px" }}
          >
            <Select
              options={(["party_branch", "team"] as const).map((k) => ({
                value: k,
                label: t(`volunteers.teams.teamKind.${k}`),
              }))}
            />
          </Form.Item>
          <Form.Item
            name="complex"
            label={t("volunteers.teams.complex")}
            rules={[{ required: true }]}
            style={{ minWidth: 160, flex: "1 1 160px" }}
          >
            <Input list="gk-team-complexes" maxLength={60} />
          </Form.Item>
          <datalist id="gk-team-complexes">
            {complexes.map((c) => (
              <option key={c} value={c} />
            ))}
          </datalist>
          <Form.Item
            name="teamName"
            label={t("volunteers.teams.name")}
            rules={[{ required: true }]}
            style={{ minWidth: 200, flex: "2 1 200px" }}
          >
            <Input maxLength={40} />
          </Form.Item>
          <Form.Item
            name="secretaryMemberId"
            label={t("volunteers.teams.secretary")}
            extra={t("volunteers.teams.secretaryHint")}
            rules={[{ required: true }]}
            style={{ minWidth: 200, flex: "2 1 200px" }}
          >
            <Select
              showSearch
              filterOption={false}
              onSearch={setSearch}
              loading={members.isFetching}
              options={(members.data?.items ?? []).map((m) => ({
                value: m.id,
                label: `${m.name}${m.workUnit ? ` · ${m.workUnit}` : ""}`,
              }))}
            />
          </Form.Item>
        </Flex>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
        <Button type="primary" htmlType="submit" loading={busy}>
          {t("volunteers.teams.create")}
        </Button>
      </Form>
    </Card>
  );
}

/** A team's roll in a drawer (the whole width on a phone). */
export function RollDrawer({ id, onClose }: { id: number | null; onClose: () => void }) {
  const { t } = useTranslation();
  const q = useQuery({
    queryKey: ["teams", "roll", id],
    queryFn: () => api<VolRoll>(`/api/volunteers/teams/${id}`),
    enabled: id !== null,
  });
  return (
    <Drawer
      open={id !== null}
      onClose={onClose}
      size={Math.min(640, window.innerWidth)}
      title={q.data ? `${q.data.team.name} · ${t("volunteers.teams.roll")}` : t("volunteers.teams.roll")}
    >
      {q.data && <Roll roll={q.data} />}
      {q.error && <Alert type="error" title={q.error.message} />}
    </Drawer>
  );
}

function Roll({ roll }: { roll: VolRoll }) {
  const { t } = useTranslation();
  const act = useTeamAct();
  const me = useMe();
  const { modal } = App.useApp();
  // 更换书记 is the community's (the server's govern rule), not the secretary's own.
  const govern = GOVERNS.includes(me.role);
  const makeSecretary = (m: VolRollMember) =>
    modal.confirm({
      title: t("volunteers.teams.makeSecretaryTitle", { name: m.name }),
      content: t("volunteers.teams.secretaryHint"),
      okText: t("volunteers.teams.makeSecretary"),
      onOk: () =>
        act(
          () =>
            api(`/api/volunteers/teams/${roll.team.id}`, {
              method: "PATCH",
              body: { secretaryMemberId: m.memberId },
            }),
          `${t("volunteers.teams.secretaryChanged")}：${m.name}`,
        ),
    });
  const [leaving, setLeaving] = useState<VolRollMember | null>(null);
  const c = roll.counts;
  const current = roll.members.filter((m) => !m.leftAt);
  const left = roll.members.filter((m) => m.leftAt);
  return (
    <Flex vertical gap={12} data-testid="roll">
      <Flex vertical gap={4}>
        <Space wrap size={4}>
          <Tag color={roll.team.kind === "party_branch" ? "red" : "blue"}>
            {t(`volunteers.teams.teamKind.${roll.team.kind}`)}
          </Tag>
          <span>
            {roll.team.communityName} · {roll.team.complex}
          </span>
        </Space>
        <span>
          {t("volunteers.teams.secretary")}：
          <Typography.Text strong>{roll.team.secretaryName}</Typography.Text>
        </span>
      </Flex>
      <Flex wrap gap={6} data-testid="roll-counts">
        <Tag color="blue">{t("volunteers.teams.current", { n: c.current })}</Tag>
        <Tag>{t("volunteers.teams.partyOf", { n: c.partyMembers })}</Tag>
        <Tag>{t("volunteers.teams.joinedQ", { n: c.joinedThisQuarter })}</Tag>
        <Tag>{t("volunteers.teams.leftQ", { n: c.leftThisQuarter })}</Tag>
        <Tag>{t("volunteers.teams.hoursQ", { h: c.hours })}</Tag>
        <Tag color={c.belowMinimum ? "error" : "success"}>
          {t("volunteers.teams.belowQ", { n: c.belowMinimum, h: roll.quarterlyMinHours })}
        </Tag>
      </Flex>
      {roll.canKeepRoll && <AddToRoll teamId={roll.team.id} />}
      <Flex vertical gap={8}>
        {current.map((m) => (
          <RollMember
            key={m.memberId}
            m={m}
            secretary={m.memberId === roll.team.secretaryMemberId}
            onRemove={roll.canKeepRoll ? () => setLeaving(m) : undefined}
            onMakeSecretary={govern ? () => makeSecretary(m) : undefined}
          />
        ))}
      </Flex>
      {left.length > 0 && (
        <>
          <Typography.Title level={5} style={{ margin: "8px 0 0" }}>
            {t("volunteers.teams.history")}（{left.length}）
          </Typography.Title>
          <Flex vertical gap={8}>
            {left.map((m) => (
              <RollMember key={`${m.memberId}-${m.leftAt}`} m={m} secretary={false} />
            ))}
          </Flex>
        </>
      )}
      <LeaveModal
        member={leaving}
        onCancel={() => setLeaving(null)}
        onOk={async (reason) => {
          if (
            leaving &&
            (await act(
              () =>
                api(`/api/volunteers/teams/${roll.team.id}/members/${leaving.memberId}/leave`, {
                  method: "POST",
                  body: reason ? { reason } : {},
                }),
              `${t("volunteers.teams.removed")}：${leaving.name}`,
            ))
          )
            setLeaving(null);
        }}
      />
    </Flex>
  );
}

/** One person on the roll: hours this quarter against the minimum (highlighted when below), joined / left. */
function RollMember({
  m,
  secretary,
  onRemove,
  onMakeSecretary,
}: {
  m: VolRollMember;
  secretary: boolean;
  onRemove?: () => void;
  onMakeSecretary?: () => void;
}) {
  const { t } = useTranslation();
  const gone = !!m.leftAt;
  return (
    <div
      data-testid="roll-member"
      data-below={m.belowMinimum ? "true" : undefined}
      style={{
        border: `1px solid ${m.belowMinimum ? "#ffccc7" : "#f0f0f0"}`,
        background: m.belowMinimum ? "#fff1f0" : gone ? "#fafafa" : undefined,
        borderRadius: 8,
        padding: "8px 12px",
      }}
    >
      <Flex justify="space-between" align="flex-start" gap={8}>
        <Flex vertical gap={2} style={{ minWidth: 0 }}>
          <Space wrap size={4}>
            <Typography.Text strong type={gone ? "secondary" : undefined}>
              {m.name}
            </Typography.Text>
            {secretary && <Tag color="red">{t("volunteers.teams.isSecretary")}</Tag>}
            <Tag>{t(`volunteers.kind.${m.kind}`)}</Tag>
            {m.belowMinimum && <Tag color="error">{t("volunteers.teams.below")}</Tag>}
          </Space>
          {(m.workUnit || m.phone) && (
            <Typography.Text type="secondary">
              {[m.workUnit, m.phone].filter(Boolean).join(" · ")}
            </Typography.Text>
          )}
          {!gone && (
            <Typography.Text type={m.belowMinimum ? "danger" : undefined}>
              {t("volunteers.teams.hoursTasks", { h: m.hours, n: m.tasks })}
            </Typography.Text>
          )}
          <Typography.Text type="secondary">
            {t("volunteers.teams.joinedAt", { at: formatDate(String(m.joinedAt)) })}
            {gone && ` · ${t("volunteers.teams.leftAt", { at: formatDate(String(m.leftAt)) })}`}
            {gone && m.leaveReason && ` · ${m.leaveReason}`}
          </Typography.Text>
        </Flex>
        {!secretary && (onRemove || onMakeSecretary) && (
          <Flex vertical gap={6} style={{ flex: "none" }}>
            {onRemove && (
              <Button size="small" danger onClick={onRemove}>
                {t("volunteers.teams.remove")}
              </Button>
            )}
            {onMakeSecretary && (
              <Button size="small" onClick={onMakeSecretary}>
                {t("volunteers.teams.makeSecretary")}
              </Button>
            )}
          </Flex>
        )}
      </Flex>
    </div>
  );
}

/** 加入名册: the community's confirmed members not on the roll, found by name or work unit. */
function AddToRoll({ teamId }: { teamId: number }) {
  const { t } = useTranslation();
  const act = useTeamAct();
  const [search, setSearch] = useState("");
  const [picked, setPicked] = useState<number | undefined>();
  const found = useQuery({
    queryKey: ["teams", "candidates", teamId, search],
    queryFn: () =>
      api<{ items: VolRollCandidate[] }>(
        `/api/volunteers/teams/${teamId}/candidates${qs({ q: search.trim() })}`,
      ),
  });
  return (
    <Flex gap={8} wrap>
      <Select
        showSearch
        allowClear
        filterOption={false}
        value={picked}
        onChange={setPicked}
        onSearch={setSearch}
        loading={found.isFetching}
        placeholder={t("volunteers.teams.addPlaceholder")}
        aria-label={t("volunteers.teams.addPlaceholder")}
        style={{ flex: "1 1 200px", minWidth: 0 }}
        options={(found.data?.items ?? []).map((m) => ({
          value: m.id,
          label: `${m.name}${m.workUnit ? ` · ${m.workUnit}` : ""}`,
        }))}
      />
      <Button
        type="primary"
        disabled={picked === undefined}
        onClick={async () => {
          const name = found.data?.items.find((m) => m.id === picked)?.name ?? "";
          if (
            await act(
              () =>
                api(`/api/volunteers/teams/${teamId}/members`, {
                  method: "POST",
                  body: { memberId: picked },
                }),
              `${t("volunteers.teams.added")}：${name}`,
            )
          )
            setPicked(undefined);
        }}
      >
        {t("volunteers.teams.add")}
      </Button>
    </Flex>
  );
}

function LeaveModal(props: {
  member: VolRollMember | null;
  onCancel: () => void;
  onOk: (reason: string) => Promise<void>;
}) {
  const { t } = useTranslation();
  const [reason, setReason] = useState("");
  useEffect(() => {
    if (props.member) setReason("");
  }, [props.member]);
  return (
    <Modal
      open={!!props.member}
      title={t("volunteers.teams.removeTitle", { name: props.member?.name ?? "" })}
      okText={t("volunteers.teams.remove")}
      okButtonProps={{ danger: true }}
      onCancel={props.onCancel}
      onOk={() => props.onOk(reason.trim())}
    >
      <Input.TextArea
        placeholder={t("volunteers.teams.removeReason")}
        aria-label={t("volunteers.teams.removeReason")}
        value={reason}
        maxLength={100}
        onChange={(e) => setReason(e.target.value)}
      />
    </Modal>
  );
}

/** 我所在的队伍 on the member's phone: the teams they are on; a secretary opens and keeps their team's roll. */
export function MyTeams() {
  const { t } = useTranslation();
  const q = useQuery({
    queryKey: ["teams", "mine"],
    queryFn: () => api<{ items: VolTeam[] }>("/api/volunteers/teams"),
  });
  const [open, setOpen] = useState<number | null>(null);
  const items = q.data?.items ?? [];
  return (
    <Card size="small" title={t("volunteers.teams.mine")} data-testid="my-teams">
      {items.length === 0 ? (
        <Typography.Text type="secondary">{t("volunteers.teams.none")}</Typography.Text>
      ) : (
        <Flex vertical gap={8}>
          {items.map((x) => (
            <Flex key={x.id} justify="space-between" align="center" gap={8} data-testid="my-team">
              <Flex vertical style={{ minWidth: 0 }}>
                <Typography.Text strong>{x.name}</Typography.Text>
                <Typography.Text type="secondary">
                  {t(`volunteers.teams.teamKind.${x.kind}`)} · {t("volunteers.teams.current", { n: x.size })}
                </Typography.Text>
              </Flex>
              {x.mine && (
                <Button type="primary" onClick={() => setOpen(x.id)} style={{ flex: "none" }}>
                  {t("volunteers.teams.keepRoll")}
                </Button>
              )}
            </Flex>
          ))}
        </Flex>
      )}
      <RollDrawer id={open} onClose={() => setOpen(null)} />
    </Card>
  );
}
