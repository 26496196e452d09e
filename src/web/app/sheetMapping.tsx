// The header-mapping preview an uploaded sheet is confirmed with (a verification list, a community roster):
// for each field the column it is read from, chosen among the header's columns, over the sample rows the
// server masked. One piece so that every import shows and edits its mapping the same way.

import type { DescriptionsProps } from "antd";
import { Descriptions, Select, Table } from "antd";

export type SheetMapping<F extends string> = Record<F, number | null>;

/** A, B, … as Excel names its columns. */
export const columnLetter = (i: number) => String.fromCharCode(65 + i);

export function SheetMappingFields<F extends string>(props: {
  fields: readonly F[];
  label: (f: F) => string;
  none: string;
  columns: string[];
  mapping: SheetMapping<F>;
  onChange: (m: SheetMapping<F>) => void;
  column?: DescriptionsProps["column"];
}) {
  const { fields, label, none, columns, mapping, onChange } = props;
  const options = [
    { value: -1, label: none },
    ...columns.map((c, i) => ({ value: i, label: `${columnLetter(i)} · ${c || "—"}` })),
  ];
  return (
    <Descriptions size="small" bordered column={props.column ?? { xs: 1, sm: 2, lg: 4 }}>
      {fields.map((f) => (
        <Descriptions.Item key={f} label={label(f)}>
          <Select
            aria-label={label(f)}
            data-testid={`map-${f}`}
            style={{ width: "100%", minWidth: 140 }}
            value={mapping[f] ?? -1}
            options={options}
            onChange={(v: number) => onChange({ ...mapping, [f]: v < 0 ? null : v })}
          />
        </Descriptions.Item>
      ))}
    </Descriptions>
  );
}

/** The first rows as the server sent them (ID numbers and phones already masked), under the sheet's own header. */
export function SheetSample(props: { columns: string[]; sample: { n: number; cells: string[] }[] }) {
  return (
    <Table
      size="small"
      rowKey="n"
      pagination={false}
      scroll={{ x: "max-content" }}
      dataSource={props.sample}
      data-testid="sample"
      columns={[
        { title: "#", dataIndex: "n", width: 44 },
        ...props.columns.map((c, i) => ({
          title: c || columnLetter(i),
          key: String(i),
          render: (_: unknown, r: { cells: string[] }) => r.cells[i] ?? "",
        })),
      ]}
    />
  );
}
