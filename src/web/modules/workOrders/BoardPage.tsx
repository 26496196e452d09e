import { PlusOutlined, SendOutlined } from "@ant-design/icons";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  App,
  Button,
  Checkbox,
  Flex,
  Grid,
  Input,
  Pagination,
  Select,
  Spin,
  Table,
  Typography,
} from "antd";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { api, type Crumb, type OrderPage, type OrgNode, qs, type WorkOrder } from "../../app/api.ts";
import { useAuth, useMe } from "../../app/auth.tsx";
import { useSelectOrg } from "../../app/selection.tsx";
import { EmptyState, ErrorState } from "../../app/states.tsx";
import { runAction } from "./actions.tsx";
import { OrderCard } from "./OrderCard.tsx";
import { Countdown, formatTime, StateTag } from "./sla.tsx";
import "./workOrders.css";

const PAGE_SIZE = 20;
/** Orders the board may dispatch in bulk. */
const DISPATCHABLE = ["received", "returned", "escalated"];
export const STATE_FILTERS = [
  "received",
  "dispatched",
  "accepted",
  "on_site",
  "planned",
  "replied",
  "resolved",
  "callback",
  "returned",
  "escalated",
  "reopened",
  "closed",
  "merged",
  "cancelled",
] as const;

export default function BoardPage() {
  const { t } = useTranslation();
  const me = useMe();
  const { can } = useAuth();
  const { message, modal } = App.useApp();
  const qc = useQueryClient();
  const phone = Grid.useBreakpoint().md === false;
  const [params, setParams] = useSearchParams();
  const state = params.get("state") ?? "active";
  const overdue = params.get("overdue") === "true";
  const dueSoon = params.get("dueSoon") === "true";
  const q = params.get("q") ?? "";
  const org = Number(params.get("org")) || me.org.id;
  const page = Number(params.get("page")) || 1;
  const [text, setText] = useState(q);
  const [selected, setSelected] = useState<number[]>([]);
  const [bulk, setBulk] = useState<{ ok: number; failed: { number: string; message: string }[] } | null>(
    null,
  );
  const [dispatching, setDispatching] = useState(false);
  useEffect(() => setText(q), [q]);
  useSelectOrg(org);

  const scope = useQuery({
    queryKey: ["org", org],
    queryFn: () => api<{ unit: OrgNode; breadcrumb: Crumb[] }>(`/api/orgs/${org}`),
  });
  const filter = {
    state: state === "all" ? undefined : state,
    overdue: overdue ? "true" : undefined,
    dueSoon: dueSoon ? "true" : undefined,
    q,
    org: org === me.org.id ? undefined : org,
  };
  const list = useQuery({
    queryKey: ["orders", "board", filter, page],
    queryFn: () => api<OrderPage>(`/api/orders${qs({ ...filter, page, pageSize: PAGE_SIZE })}`),
    placeholderData: keepPreviousData,
    refetchInterval: 60_000,
  });
  const items = list.data?.items ?? [];
  const chosen = items.filter((o) => selected.includes(o.id));

  function update(changes: Record<string, string | undefined>) {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    if (!("page" in changes)) next.delete("page");
    setSelected([]);
    setParams(next);
  }

  async function dispatchSelected() {
    setDispatching(true);
    const failed: { number: string; message: string }[] = [];
    let ok = 0;
    for (const o of chosen) {
      try {
        await runAction(o, "dispatch");
        ok++;
      } catch (e) {
        failed.push({ number: o.number, message: e instanceof Error ? e.message : String(e) });
      }
    }
    setDispatching(false);
    setSelected([]);
    setBulk({ ok, failed });
    if (ok) message.success(t("board.dispatched", { count: ok }));
    await qc.invalidateQueries({ queryKey: ["orders"] });
  }

  const canDispatch = (o: WorkOrder) =>
    DISPATCHABLE.includes(o.state) && o.allowedActions.some((a) => a.action === "dispatch");

  const columns = [
    {
      title: t("order.number"),
      dataIndex: "number",
      render: (n: string, o: WorkOrder) => <Link to={`/orders/${o.id}`}>{n}</Link>,
    },
    { title: t("order.category"), dataIndex: "category" },
    {
      title: t("order.state"),
      dataIndex: "state",
      render: (s: string, o: WorkOrder) => <StateTag state={s} label={o.stateLabel} />,
    },
    {
      title: t("order.deadline"),
      key: "countdown",
      render: (_: unknown, o: WorkOrder) => <Countdown order={o} />,
    },
    { title: t("order.org"), dataIndex: "orgName" },
    {
      title: t("order.address"),
      dataIndex: "address",
      className: "gk-address",
      render: (a: string | null) => a ?? "—",
    },
    {
      title: t("order.channel"),
      dataIndex: "channel",
      render: (c: string, o: WorkOrder) => t(`channel.${c}`, { defaultValue: o.channelLabel }),
    },
    { title: t("order.createdAt"), dataIndex: "createdAt", render: (d: string) => formatTime(d) },
  ];

  const bulkBar = selected.length > 0 && (
    <Alert
      type="info"
      showIcon
      title={t("board.selected", { count: selected.length })}
      action={
        <Button
          type="primary"
          icon={<SendOutlined />}
          loading={dispatching}
          onClick={() =>
            modal.confirm({
              title: t("board.bulkConfirmTitle", { count: chosen.length }),
              content: t("board.bulkConfirm"),
              okText: t("board.bulkDispatch"),
              cancelText: t("order.cancel"),
              onOk: dispatchSelected,
            })
          }
        >
          {t("board.bulkDispatch")}
        </Button>
      }
    />
  );

  return (
    <Flex vertical gap={16}>
      <Flex align="center" gap={8} wrap>
        <Typography.Title level={phone ? 3 : 2} style={{ margin: 0 }}>
          {t("board.title")}
        </Typography.Title>
        {scope.data && (
          <Typography.Text type="secondary">
            {t("resident.scope", { name: scope.data.unit.name })}
          </Typography.Text>
        )}
        {can("order.create") && (
          <Link to="/orders/new" style={{ marginLeft: "auto" }}>
            <Button type="primary" icon={<PlusOutlined />}>
              {t("nav.intake")}
            </Button>
          </Link>
        )}
      </Flex>

      <Flex gap={12} wrap align="end">
        <Flex vertical gap={4} style={{ flex: phone ? "1 1 100%" : "0 0 180px" }}>
          <label htmlFor="gk-state-filter">{t("board.stateFilter")}</label>
          <Select
            id="gk-state-filter"
            value={state}
            onChange={(v: string) => update({ state: v === "active" ? undefined : v })}
            options={[
              { value: "active", label: t("board.active") },
              { value: "all", label: t("board.all") },
              ...STATE_FILTERS.map((s) => ({ value: s, label: t(`orderState.${s}`) })),
            ]}
          />
        </Flex>
        <Flex vertical gap={4} style={{ flex: "1 1 260px", maxWidth: phone ? undefined : 360 }}>
          <label htmlFor="gk-number-search">{t("board.search")}</label>
          <Input.Search
            id="gk-number-search"
            placeholder={t("board.searchPlaceholder")}
            value={text}
            allowClear
            inputMode="numeric"
            onChange={(e) => setText(e.target.value)}
            onSearch={(v) => update({ q: v.replace(/\D/g, "") || undefined })}
          />
        </Flex>
        <Checkbox
          checked={overdue}
          onChange={(e) => update({ overdue: e.target.checked ? "true" : undefined })}
        >
          {t("board.overdueOnly")}
        </Checkbox>
        <Checkbox
          checked={dueSoon}
          onChange={(e) => update({ dueSoon: e.target.checked ? "true" : undefined })}
        >
          {t("board.dueSoonOnly")}
        </Checkbox>
      </Flex>

      {bulk && (
        <Alert
          type={bulk.failed.length ? "warning" : "success"}
          showIcon
          closable={{ onClose: () => setBulk(null) }}
          data-testid="bulk-result"
          title={t("board.bulkResult", { ok: bulk.ok, failed: bulk.failed.length })}
          description={
            bulk.failed.length ? (
              <ul style={{ margin: 0, paddingInlineStart: 18 }}>
                {bulk.failed.map((f) => (
                  <li key={f.number}>
                    {f.number}：{f.message}
                  </li>
                ))}
              </ul>
            ) : undefined
          }
        />
      )}
      {bulkBar}

      {list.error ? (
        <ErrorState error={list.error} onRetry={() => list.refetch()} />
      ) : phone ? (
        <Spin spinning={list.isFetching}>
          {list.data && (
            <Typography.Paragraph type="secondary" data-testid="order-total">
              {t("board.total", { total: list.data.total })}
            </Typography.Paragraph>
          )}
          {list.data && items.length === 0 ? (
            <EmptyState description={t("board.empty")} />
          ) : (
            <ul className="gk-card-list" aria-label={t("board.title")}>
              {items.map((o) => (
                <li key={o.id}>
                  <OrderCard order={o} link />
                </li>
              ))}
            </ul>
          )}
          {list.data && list.data.total > PAGE_SIZE && (
            <Pagination
              simple
              style={{ marginTop: 16, justifyContent: "center" }}
              current={page}
              pageSize={PAGE_SIZE}
              total={list.data.total}
              onChange={(p) => update({ page: String(p) })}
            />
          )}
        </Spin>
      ) : (
        <Table<WorkOrder>
          rowKey="id"
          size="middle"
          loading={list.isFetching && !list.data}
          dataSource={items}
          columns={columns}
          scroll={{ x: "max-content" }}
          rowClassName={(o) => (o.overdue || o.slaStatus === "overdue" ? "gk-row-overdue" : "")}
          rowSelection={{
            selectedRowKeys: selected,
            onChange: (keys) => setSelected(keys as number[]),
            getCheckboxProps: (o) => ({
              disabled: !canDispatch(o),
              "aria-label": t("board.selectOrder", { number: o.number }),
            }),
          }}
          locale={{ emptyText: list.isPending ? " " : <EmptyState description={t("board.empty")} /> }}
          pagination={{
            current: page,
            pageSize: PAGE_SIZE,
            total: list.data?.total ?? 0,
            showSizeChanger: false,
            showTotal: (total) => <span data-testid="order-total">{t("board.total", { total })}</span>,
            onChange: (p) => update({ page: String(p) }),
          }}
        />
      )}
    </Flex>
  );
}
