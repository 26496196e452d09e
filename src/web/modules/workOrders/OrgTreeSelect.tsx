import { useQuery } from "@tanstack/react-query";
import { TreeSelect, type TreeSelectProps } from "antd";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type OrgKind, type OrgNode, qs } from "../../app/api.ts";

interface Node {
  id: number;
  pId: number | 0;
  value: number;
  title: string;
  isLeaf: boolean;
  kind: OrgKind;
}

/** Units an order can be routed or dispatched to. */
const TARGETS: OrgKind[] = ["street", "community", "grid"];

const toNode = (o: OrgNode, parent: number): Node => ({
  id: o.id,
  pId: parent,
  value: o.id,
  title: o.name,
  // Orders go to grids at the lowest; micro-grids are not offered.
  isLeaf: o.kind === "grid" || o.childCount === 0,
  kind: o.kind,
});

/** The account's org tree, loaded as it opens, for picking a street, community or grid (or other `kinds`). */
export function OrgTreeSelect({
  id,
  value,
  onChange,
  placeholder,
  size,
  kinds = TARGETS,
  valueLabel,
}: {
  id?: string;
  value?: number | null;
  onChange?: (v: number | null) => void;
  placeholder?: string;
  size?: "large" | "middle";
  /** The kinds of unit that can be picked; the others only open. */
  kinds?: OrgKind[];
  /**
   * The name of the unit `value` holds, for a form that opens on a saved unit: the tree loads as it opens,
   * so without it the field would show the bare id until the unit's branch was opened.
   */
  valueLabel?: string;
}) {
  const { t } = useTranslation();
  const root = useQuery({
    queryKey: ["orgs", "root"],
    queryFn: () => api<{ items: OrgNode[] }>("/api/orgs"),
  });
  const [nodes, setNodes] = useState<Node[]>([]);
  useEffect(() => {
    if (root.data) setNodes(root.data.items.map((o) => toNode(o, 0)));
  }, [root.data]);

  async function load(node: { id?: number; value?: unknown }) {
    const parent = Number(node.value ?? node.id);
    if (nodes.some((n) => n.pId === parent)) return;
    const r = await api<{ items: OrgNode[] }>(`/api/orgs${qs({ parent })}`);
    setNodes((all) => [
      ...all,
      ...r.items.filter((o) => o.kind !== "micro_grid").map((o) => toNode(o, parent)),
    ]);
  }

  // The value is an id, or {value, label} when valueLabel is given.
  const valueProps: Pick<TreeSelectProps<any>, "value" | "onChange" | "labelInValue"> = valueLabel ===
  undefined
    ? { value: value ?? undefined, onChange: (v: number | undefined) => onChange?.(v ?? null) }
    : {
        labelInValue: true,
        value:
          value == null
            ? undefined
            : { value, label: nodes.find((n) => n.value === value)?.title ?? valueLabel },
        onChange: (v: { value: number } | undefined) => onChange?.(v?.value ?? null),
      };

  return (
    <TreeSelect
      id={id}
      treeDataSimpleMode
      treeData={nodes.map((n) => ({ ...n, disabled: !kinds.includes(n.kind) }))}
      loadData={load}
      {...valueProps}
      allowClear
      showSearch={false}
      size={size}
      loading={root.isPending}
      placeholder={placeholder ?? t("intake.orgPlaceholder")}
      style={{ width: "100%" }}
      popupMatchSelectWidth={false}
    />
  );
}
