import { PlusOutlined } from "@ant-design/icons";
import type { UseQueryResult } from "@tanstack/react-query";
import { Button, Flex, Spin, Table, type TableProps, Typography } from "antd";
import type { Key, ReactNode } from "react";
import { EmptyState, ErrorState } from "./states.tsx";

/**
 * A whole (client-side) list as cards on a phone and a table on a desktop, with the states every list
 * needs: the server's error with a retry, a spinner while refetching, and an empty state that does not
 * flash before the first answer. Pages give the cards, the columns and the words.
 */
export function ResponsiveList<T extends object>({
  query,
  items,
  phone,
  label,
  empty,
  rowKey,
  card,
  columns,
  rowClassName,
  onRow,
}: {
  query: Pick<UseQueryResult<unknown>, "error" | "refetch" | "isFetching" | "isPending" | "data">;
  items: T[];
  phone: boolean;
  /** The list's name for assistive technology (the page title). */
  label: string;
  empty: string;
  rowKey: (item: T) => Key;
  card: (item: T) => ReactNode;
  columns: TableProps<T>["columns"];
  rowClassName?: (item: T) => string;
  onRow?: TableProps<T>["onRow"];
}) {
  if (query.error) return <ErrorState error={query.error} onRetry={() => query.refetch()} />;
  if (phone)
    return (
      <Spin spinning={query.isFetching}>
        {query.data && items.length === 0 ? (
          <EmptyState description={empty} />
        ) : (
          <ul className="gk-card-list" aria-label={label}>
            {items.map((item) => (
              <li key={rowKey(item)}>{card(item)}</li>
            ))}
          </ul>
        )}
      </Spin>
    );
  return (
    <Table<T>
      rowKey={rowKey}
      size="middle"
      loading={query.isFetching}
      dataSource={items}
      scroll={{ x: "max-content" }}
      // Lists of a few dozen rows read best whole; longer ones page.
      pagination={items.length > 50 ? { pageSize: 50, showSizeChanger: false } : false}
      rowClassName={rowClassName}
      onRow={onRow}
      locale={{ emptyText: query.isPending ? " " : <EmptyState description={empty} /> }}
      columns={columns}
    />
  );
}

/** A list page's title with its one "add" action at the right (large on a phone, for a thumb). */
export function ListPageHeader({
  title,
  addLabel,
  onAdd,
  phone,
}: {
  title: string;
  addLabel: string;
  onAdd: () => void;
  phone: boolean;
}) {
  return (
    <Flex align="center" gap={8} wrap>
      <Typography.Title level={phone ? 3 : 2} style={{ margin: 0 }}>
        {title}
      </Typography.Title>
      <Button
        type="primary"
        icon={<PlusOutlined />}
        style={{ marginLeft: "auto" }}
        size={phone ? "large" : "middle"}
        onClick={onAdd}
      >
        {addLabel}
      </Button>
    </Flex>
  );
}
