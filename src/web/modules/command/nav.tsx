import { DashboardOutlined, DesktopOutlined, FileTextOutlined } from "@ant-design/icons";
import type { TFunction } from "i18next";

// The command center's place in the shell: its menu group, where each item opens, which paths follow the
// org navigator.

export const COMMAND_SCOPED = ["/command"];

export function commandSection(pathname: string): string | undefined {
  if (pathname === "/command") return "command";
  if (pathname === "/command/reports") return "command-reports";
  return undefined;
}

export function commandTargets(withOrg: (path: string) => string): Record<string, () => string> {
  return {
    command: () => withOrg("/command"),
    "command-screen": () => withOrg("/command/screen"),
    "command-reports": () => "/command/reports",
  };
}

export function commandMenuGroup(can: (p: string) => boolean, t: TFunction) {
  if (!can("command.read")) return [];
  return [
    {
      type: "group" as const,
      key: "g-command",
      label: t("command.nav.group"),
      children: [
        { key: "command", icon: <DashboardOutlined />, label: t("command.nav.dashboard") },
        { key: "command-screen", icon: <DesktopOutlined />, label: t("command.nav.screen") },
        { key: "command-reports", icon: <FileTextOutlined />, label: t("command.nav.reports") },
      ],
    },
  ];
}
