import { useQuery } from "@tanstack/react-query";
import { Button, Card, Empty, Flex, Input, Radio, Space, Tag, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, apiUpload } from "../../app/api.ts";
import { type Assignment, type Rectification, useAct } from "./common.tsx";

// The inspector's phone: today's enterprises from their campaigns, the checklist item by item with a
// finding for each failed item and photos, then the rectifications they follow up to re-inspection.

export default function InspectPage() {
  const { t } = useTranslation();
  const [current, setCurrent] = useState<Assignment | null>(null);
  const mine = useQuery({
    queryKey: ["affairs", "mine"],
    queryFn: () => api<{ items: Assignment[] }>("/api/affairs/inspections/mine"),
  });
  const rects = useQuery({
    queryKey: ["affairs", "rectifications", "open"],
    queryFn: () => api<{ items: Rectification[] }>("/api/affairs/rectifications?state=open"),
  });
  const act = useAct();
  const todo = (mine.data?.items ?? []).filter((a) => a.inspectionId === null);
  return (
    <Flex vertical gap={12} style={{ maxWidth: 560 }}>
      <Typography.Title level={2} style={{ margin: 0 }}>
        {t("affairs.inspectTitle")}
      </Typography.Title>
      {current ? (
        <Checklist assignment={current} onDone={() => setCurrent(null)} />
      ) : (
        <>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {t("affairs.myTasks")}（{todo.length}）
          </Typography.Title>
          {todo.length === 0 && <Empty description={t("affairs.w.noTasks")} />}
          {todo.slice(0, 30).map((a) => (
            <Card
              key={`${a.campaignId}-${a.enterpriseId}`}
              size="small"
              onClick={() => setCurrent(a)}
              hoverable
            >
              <Flex justify="space-between" align="center" gap={8}>
                <div>
                  <b>{a.enterpriseName}</b>
                  <div style={{ color: "#666", fontSize: 13 }}>
                    {a.campaignName} · {a.gridName} · {t("affairs.w.due")} {a.endsOn}
                  </div>
                </div>
                <Button type="primary" size="small">
                  {t("affairs.w.check")}
                </Button>
              </Flex>
            </Card>
          ))}
          <Typography.Title level={4} style={{ margin: 0 }}>
            {t("affairs.rectifications")}
          </Typography.Title>
          {[...(rects.data?.items ?? [])]
            .sort((a, b) => b.id - a.id)
            .slice(0, 30)
            .map((r) => (
              <Card key={r.id} size="small">
                <Flex vertical gap={6}>
                  <b>{r.enterpriseName}</b>
                  <span>
                    {r.itemText}：{r.finding}
                  </span>
                  <Space wrap>
                    {r.overdue ? (
                      <Tag color="red">
                        {r.deadline} {t("affairs.w.overdue")}
                      </Tag>
                    ) : (
                      <Tag>
                        {t("affairs.w.deadlineShort")} {r.deadline}
                      </Tag>
                    )}
                    {r.enforcement === "active" && <Tag color="red">{t("affairs.enforcement.active")}</Tag>}
                    <Button
                      size="small"
                      type="primary"
                      onClick={() =>
                        act(
                          () =>
                            api(`/api/affairs/rectifications/${r.id}/reinspection`, {
                              method: "POST",
                              body: { passed: true },
                            }),
                          t("affairs.w.closed"),
                        )
                      }
                    >
                      {t("affairs.reinspect")}
                    </Button>
                  </Space>
                </Flex>
              </Card>
            ))}
        </>
      )}
    </Flex>
  );
}

function Checklist({ assignment, onDone }: { assignment: Assignment; onDone: () => void }) {
  const { t } = useTranslation();
  const act = useAct();
  const [results, setResults] = useState<Record<string, { passed: boolean; finding: string }>>(
    Object.fromEntries(assignment.items.map((i) => [i.code, { passed: true, finding: "" }])),
  );
  const [photos, setPhotos] = useState<File[]>([]);
  const set = (code: string, v: Partial<{ passed: boolean; finding: string }>) =>
    setResults((r) => ({ ...r, [code]: { ...r[code], ...v } }));
  return (
    <Flex vertical gap={10}>
      <Card size="small">
        <b>{assignment.enterpriseName}</b>
        <div style={{ color: "#666", fontSize: 13 }}>
          {assignment.address} · {assignment.campaignName}
        </div>
      </Card>
      {assignment.items.map((i, n) => (
        <Card key={i.code} size="small" title={`${n + 1}. ${i.text}`}>
          <Radio.Group
            value={results[i.code].passed ? "pass" : "fail"}
            onChange={(e) => set(i.code, { passed: e.target.value === "pass" })}
            optionType="button"
            buttonStyle="solid"
            aria-label={i.text}
            options={[
              { value: "pass", label: t("affairs.passed") },
              { value: "fail", label: t("affairs.failed") },
            ]}
          />
          {!results[i.code].passed && (
            <Input.TextArea
              style={{ marginTop: 8 }}
              rows={2}
              aria-label={`${i.text} ${t("affairs.finding")}`}
              placeholder={t("affairs.finding")}
              value={results[i.code].finding}
              onChange={(e) => set(i.code, { finding: e.target.value })}
            />
          )}
        </Card>
      ))}
      <label>
        {t("affairs.photo")}：
        <input
          type="file"
          accept="image/*"
          multiple
          aria-label={t("affairs.photo")}
          onChange={(e) => setPhotos([...(e.target.files ?? [])])}
        />
      </label>
      <Space>
        <Button onClick={onDone}>{t("affairs.w.back")}</Button>
        <Button
          type="primary"
          onClick={async () => {
            const r = await act(async () => {
              const ins = await api<{ id: number; failed: number }>("/api/affairs/inspections", {
                method: "POST",
                body: {
                  campaignId: assignment.campaignId,
                  enterpriseId: assignment.enterpriseId,
                  results: assignment.items.map((i) => ({
                    code: i.code,
                    passed: results[i.code].passed,
                    ...(results[i.code].passed ? {} : { finding: results[i.code].finding }),
                  })),
                },
              });
              for (const p of photos) await apiUpload(`/api/affairs/inspections/${ins.id}/photos`, p);
              return ins;
            }, t("affairs.w.submitted"));
            if (r) onDone();
          }}
        >
          {t("affairs.submit")}
        </Button>
      </Space>
    </Flex>
  );
}
