import { TeamOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Flex, Form, Modal, Select, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { type Answer, api, type BodyOf, type CarePlan, type CareStaff, qs } from "../../app/api.ts";
import { useFormSubmit } from "./common.tsx";

// 调整负责人: the community or grid head picks a key resident's responsible grid worker and family
// doctor. The pickers list only staff covering the resident's unit (the server's rule), searchable by
// name or pinyin initials; saving goes through the plan update, which checks and audits it.

interface Values {
  assignedWorkerId?: number | null;
  doctorId?: number | null;
}

interface Option {
  value: number;
  label: string;
  staff: CareStaff;
}

/** Matches "陈静", "陈" or the initials "cj" (anywhere, so "cj" finds "…网格员 陈静"). */
function matches(input: string, option?: Option): boolean {
  if (!option) return false;
  const q = input.trim().toLowerCase();
  if (!q) return true;
  return (
    option.staff.displayName.toLowerCase().includes(q) ||
    option.staff.orgName.includes(q) ||
    (/^[a-z]+$/.test(q) && option.staff.initials.includes(q))
  );
}

function StaffSelect({
  id,
  value,
  onChange,
  staff,
  loading,
  currentName,
}: {
  id?: string;
  value?: number | null;
  onChange?: (v: number | null) => void;
  staff: CareStaff[];
  loading: boolean;
  /** Shown for the current assignee until (or unless) the list has them. */
  currentName: string | null;
}) {
  const { t } = useTranslation();
  const options: Option[] = staff.map((s) => ({ value: s.id, label: s.displayName, staff: s }));
  return (
    <Select<number, Option>
      id={id}
      value={value ?? undefined}
      onChange={(v) => onChange?.(v ?? null)}
      allowClear
      loading={loading}
      placeholder={t("care.assign.placeholder")}
      notFoundContent={t("care.assign.empty")}
      showSearch={{ filterOption: (input, option) => matches(input, option) }}
      options={options}
      labelRender={(p) => p.label ?? currentName ?? String(p.value)}
      optionRender={(o) => (
        <Flex justify="space-between" gap={8} data-testid="staff-option">
          <span>{o.data.staff.displayName}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12, whiteSpace: "nowrap" }}>
            {o.data.staff.orgName} ·{" "}
            {t(`role.${o.data.staff.role}`, { defaultValue: o.data.staff.roleLabel })}
          </Typography.Text>
        </Flex>
      )}
    />
  );
}

export function PlanAssignment({
  residentId,
  residentName,
  orgUnitId,
  plan,
}: {
  residentId: number;
  residentName: string;
  orgUnitId: number;
  plan: CarePlan;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [open, setOpen] = useState(false);
  const { busy, error, run } = useFormSubmit(form, ["assignedWorkerId", "doctorId"]);
  // One request for both pickers: the unit's workers, heads and covering doctors.
  const staff = useQuery({
    queryKey: ["care", "staff", orgUnitId],
    queryFn: () => api<Answer<"/api/care/staff">>(`/api/care/staff${qs({ org: orgUnitId })}`),
    enabled: open,
  });
  const items = staff.data?.items ?? [];

  function save(v: Values) {
    // Only what changed goes to the server, so the audit shows the real change.
    const body: BodyOf<"/api/care/residents/{id}/plan", "put"> = {};
    if ((v.assignedWorkerId ?? null) !== plan.assignedWorkerId)
      body.assignedWorkerId = v.assignedWorkerId ?? null;
    if ((v.doctorId ?? null) !== plan.doctorId) body.doctorId = v.doctorId ?? null;
    if (!Object.keys(body).length) {
      setOpen(false);
      return;
    }
    return run(async () => {
      await api(`/api/care/residents/${residentId}/plan`, { method: "PUT", body });
      void message.success(t("care.assign.saved"));
      setOpen(false);
      await qc.invalidateQueries({ queryKey: ["care"] });
    });
  }

  return (
    <>
      <Button size="small" icon={<TeamOutlined />} onClick={() => setOpen(true)} data-testid="assign-button">
        {t("care.assign.button")}
      </Button>
      <Modal
        open={open}
        title={t("care.assign.title", { name: residentName })}
        okText={t("care.assign.save")}
        confirmLoading={busy}
        onOk={() => form.submit()}
        onCancel={() => setOpen(false)}
        destroyOnHidden
      >
        <Form<Values>
          form={form}
          layout="vertical"
          preserve={false}
          initialValues={{ assignedWorkerId: plan.assignedWorkerId, doctorId: plan.doctorId }}
          onFinish={save}
        >
          <Form.Item name="assignedWorkerId" label={t("care.assign.worker")} extra={t("care.assign.hint")}>
            <StaffSelect
              staff={items.filter((s) => s.role !== "doctor")}
              loading={staff.isFetching}
              currentName={plan.assignedWorkerName}
            />
          </Form.Item>
          <Form.Item name="doctorId" label={t("care.assign.doctor")}>
            <StaffSelect
              staff={items.filter((s) => s.role === "doctor")}
              loading={staff.isFetching}
              currentName={plan.doctorName}
            />
          </Form.Item>
        </Form>
        {staff.error && <Alert type="error" showIcon title={staff.error.message} />}
        {error && <Alert type="error" showIcon title={error} />}
      </Modal>
    </>
  );
}
