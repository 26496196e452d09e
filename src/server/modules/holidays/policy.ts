import { atDistrictLevel, definePolicy, permits } from "../../platform/policy.ts";

/** Holiday arrangements are district-wide: every staff role reads them, the district keeps them. */
export const holidayPolicy = definePolicy<{ read: undefined; manage: undefined }>(
  {
    read: (who) => permits(who, "holiday.read"),
    manage: (who) => permits(who, "holiday.manage") && atDistrictLevel(who),
  },
  { read: "当前角色不能查看节假日安排", manage: "节假日安排由区级统一维护，街道可查看" },
);
