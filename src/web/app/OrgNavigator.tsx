import { useQuery } from "@tanstack/react-query";
import { Button, Flex, Input, Spin, Tag, Tree, Typography } from "antd";
import type { DataNode } from "antd/es/tree";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type OrgNode, qs } from "./api.ts";
import { useSelection } from "./selection.tsx";
import { EmptyState, ErrorState } from "./states.tsx";

interface OrgTreeNode extends DataNode {
  key: number;
  children?: OrgTreeNode[];
}

const toNode = (o: OrgNode): OrgTreeNode => ({ key: o.id, title: o.name, isLeaf: o.childCount === 0 });

function withChildren(nodes: OrgTreeNode[], key: number, children: OrgTreeNode[]): OrgTreeNode[] {
  return nodes.map((n) =>
    n.key === key
      ? { ...n, children }
      : n.children
        ? { ...n, children: withChildren(n.children, key, children) }
        : n,
  );
}

/** The org tree of the account's scope (children loaded on expand) with a search box. */
export function OrgNavigator({ onPick }: { onPick: (id: number) => void }) {
  const { t } = useTranslation();
  const { orgId } = useSelection();
  const [q, setQ] = useState("");
  const [tree, setTree] = useState<OrgTreeNode[]>([]);
  const [expanded, setExpanded] = useState<number[]>([]);

  const root = useQuery({
    queryKey: ["orgs", "root"],
    queryFn: () => api<{ items: OrgNode[] }>("/api/orgs"),
  });
  useEffect(() => {
    if (root.data) {
      setTree(root.data.items.map(toNode));
      setExpanded(root.data.items.map((o) => o.id));
    }
  }, [root.data]);

  const found = useQuery({
    queryKey: ["orgs", "search", q],
    queryFn: () => api<{ items: OrgNode[] }>(`/api/orgs${qs({ q })}`),
    enabled: q !== "",
  });

  async function loadData(node: OrgTreeNode) {
    if (node.children) return;
    const r = await api<{ items: OrgNode[] }>(`/api/orgs${qs({ parent: node.key })}`);
    setTree((nodes) => withChildren(nodes, node.key, r.items.map(toNode)));
  }

  return (
    <nav aria-label={t("nav.navigator")} className="gk-navigator">
      <Input.Search
        aria-label={t("nav.searchOrg")}
        placeholder={t("nav.searchOrgPlaceholder")}
        allowClear
        onSearch={(v) => setQ(v.trim())}
        onChange={(e) => {
          if (!e.target.value) setQ("");
        }}
        style={{ marginBottom: 12 }}
      />
      {q ? (
        found.isPending ? (
          <Spin />
        ) : found.error ? (
          <ErrorState error={found.error} />
        ) : found.data.items.length === 0 ? (
          <EmptyState description={t("nav.noMatch")} />
        ) : (
          <Flex vertical gap={4} role="list" aria-label={t("nav.searchOrg")}>
            {found.data.items.map((o) => (
              <Button
                key={o.id}
                role="listitem"
                type={o.id === orgId ? "primary" : "text"}
                onClick={() => onPick(o.id)}
                style={{
                  justifyContent: "flex-start",
                  height: "auto",
                  padding: "6px 8px",
                  whiteSpace: "normal",
                }}
              >
                <span>{o.name}</span>
                <Tag style={{ marginLeft: "auto" }}>{t(`kind.${o.kind}`)}</Tag>
              </Button>
            ))}
          </Flex>
        )
      ) : root.isPending ? (
        <Spin />
      ) : root.error ? (
        <ErrorState error={root.error} onRetry={() => root.refetch()} />
      ) : (
        <>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t("nav.navigator")}
          </Typography.Text>
          <Tree<OrgTreeNode>
            treeData={tree}
            loadData={loadData}
            expandedKeys={expanded}
            onExpand={(keys) => setExpanded(keys as number[])}
            selectedKeys={[orgId]}
            onSelect={(_keys, info) => onPick(info.node.key)}
            blockNode
          />
        </>
      )}
    </nav>
  );
}
