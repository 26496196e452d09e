import { AuditOutlined, CheckSquareOutlined } from "@ant-design/icons";
import type { TFunction } from "i18next";

// The verification screens' place in the shell: menu items by permission, and where each opens.

export function verificationSection(pathname: string): string | undefined {
  if (pathname.startsWith("/verification/tasks")) return "verification-tasks";
  if (pathname.startsWith("/verification")) return "verification-lists";
  return undefined;
}

export function verificationTargets(): Record<string, () => string> {
  return {
    "verification-lists": () => "/verification",
    "verification-tasks": () => "/verification/tasks",
  };
}

/** The 大数据核查 menu group, or nothing when the account has no part in it. */
export function verificationMenuGroup(can: (p: string) => boolean, t: TFunction) {
  const items = [
    can("verification.manage") && {
      key: "verification-lists",
      icon: <AuditOutlined />,
      label: t("verification.nav.lists"),
    },
    can("verification.task") && {
      key: "verification-tasks",
      icon: <CheckSquareOutlined />,
      label: t("verification.nav.tasks"),
    },
  ].filter((i) => !!i);
  return items.length
    ? [{ type: "group" as const, key: "g-verification", label: t("verification.nav.group"), children: items }]
    : [];
}
