import { ApiOutlined, CalendarOutlined, TagsOutlined } from "@ant-design/icons";
import type { TFunction } from "i18next";

// The admin screens' place in the shell: menu items (by permission) and where each opens.

export const ADMIN_PATHS = {
  "admin-categories": "/admin/categories",
  "admin-open311": "/admin/open311",
  "admin-holidays": "/admin/holidays",
};

/** The menu key of an admin path, or undefined outside the admin screens. */
export function adminSection(pathname: string): string | undefined {
  return Object.entries(ADMIN_PATHS).find(([, path]) => pathname.startsWith(path))?.[0];
}

export function adminTargets(): Record<string, () => string> {
  return Object.fromEntries(Object.entries(ADMIN_PATHS).map(([key, path]) => [key, () => path]));
}

/** The 系统管理 menu group, or nothing for accounts that manage neither. */
export function adminMenuGroup(can: (p: string) => boolean, t: TFunction) {
  const items = [
    can("category.manage") && {
      key: "admin-categories",
      icon: <TagsOutlined />,
      label: t("admin.nav.categories"),
    },
    can("open311.manage") && { key: "admin-open311", icon: <ApiOutlined />, label: t("admin.nav.open311") },
    can("holiday.manage") && { key: "admin-holidays", icon: <CalendarOutlined />, label: t("holidays.nav") },
  ].filter((i) => !!i);
  return items.length
    ? [{ type: "group" as const, key: "g-admin", label: t("admin.nav.group"), children: items }]
    : [];
}
