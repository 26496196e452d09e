import { CalendarOutlined, MedicineBoxOutlined } from "@ant-design/icons";
import type { TFunction } from "i18next";

// The mutual-aid screens' place in the shell: menu items by permission, and where each opens.

export function mutualAidSection(pathname: string): string | undefined {
  if (pathname.startsWith("/mutual-aid/events")) return "ma-events";
  if (pathname.startsWith("/mutual-aid")) return "ma-medicine";
  return undefined;
}

export function mutualAidTargets(): Record<string, () => string> {
  return { "ma-medicine": () => "/mutual-aid/medicine", "ma-events": () => "/mutual-aid/events" };
}

/** The 互助服务 menu group (共享药箱, 活动报名), or nothing without the permission. */
export function mutualAidMenuGroup(can: (p: string) => boolean, t: TFunction) {
  if (!can("mutualaid.read")) return [];
  return [
    {
      type: "group" as const,
      key: "g-mutual-aid",
      label: t("mutualAid.nav.group"),
      children: [
        { key: "ma-medicine", icon: <MedicineBoxOutlined />, label: t("mutualAid.nav.medicine") },
        { key: "ma-events", icon: <CalendarOutlined />, label: t("mutualAid.nav.events") },
      ],
    },
  ];
}
