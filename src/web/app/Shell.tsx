import {
  ApartmentOutlined,
  BarChartOutlined,
  BellOutlined,
  FormOutlined,
  GiftOutlined,
  GlobalOutlined,
  HeartOutlined,
  LogoutOutlined,
  MenuOutlined,
  OrderedListOutlined,
  ProfileOutlined,
  ProjectOutlined,
  SafetyCertificateOutlined,
  TeamOutlined,
  TrophyOutlined,
  UserOutlined,
} from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Breadcrumb, Button, Drawer, Flex, Grid, Layout, Menu, Space, Tag, Typography } from "antd";
import { Suspense, useState } from "react";
import { useTranslation } from "react-i18next";
import { Outlet, useLocation, useNavigate, useSearchParams } from "react-router";
import { adminMenuGroup, adminSection, adminTargets } from "../modules/admin/nav.tsx";
import { campaignMenuGroup, campaignSection, campaignTargets } from "../modules/campaigns/nav.tsx";
import { CARE_SCOPED, careMenuGroup, careSection, careTargets } from "../modules/care/nav.tsx";
import { COMMAND_SCOPED, commandMenuGroup, commandSection, commandTargets } from "../modules/command/nav.tsx";
import { HolidayCoverageBanner } from "../modules/holidays/CoverageBanner.tsx";
import { mutualAidMenuGroup, mutualAidSection, mutualAidTargets } from "../modules/mutualAid/nav.tsx";
import {
  verificationMenuGroup,
  verificationSection,
  verificationTargets,
} from "../modules/verification/nav.tsx";
import { api, type Crumb, type OrgNode } from "./api.ts";
import { useAuth, useMe } from "./auth.tsx";
import { type Lang, setLang } from "./i18n/index.ts";
import { OrgNavigator } from "./OrgNavigator.tsx";
import { SelectionProvider, useSelection } from "./selection.tsx";
import { PageLoading } from "./states.tsx";

const SIDER_STYLE = { position: "sticky", top: 0, height: "100vh", overflow: "auto" } as const;

export function Shell() {
  const me = useMe();
  return (
    <SelectionProvider initial={me.org.id}>
      <ShellLayout />
    </SelectionProvider>
  );
}

export function LangSwitch({ size }: { size?: "small" | "middle" | "large" }) {
  const { t, i18n } = useTranslation();
  const next: Lang = i18n.language === "en" ? "zh-CN" : "en";
  return (
    <Button size={size} icon={<GlobalOutlined />} title={t("header.language")} onClick={() => setLang(next)}>
      {t("header.switchTo")}
    </Button>
  );
}

function useOrg(id: number) {
  return useQuery({
    queryKey: ["org", id],
    queryFn: () => api<{ unit: OrgNode; breadcrumb: Crumb[] }>(`/api/orgs/${id}`),
  });
}

function ShellLayout() {
  const { t } = useTranslation();
  const me = useMe();
  const { can, logout } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const [params, setParams] = useSearchParams();
  const { orgId } = useSelection();
  const screens = Grid.useBreakpoint();
  const desktop = screens.lg ?? true;
  const [drawer, setDrawer] = useState(false);
  const org = useOrg(orgId);
  const canRead = can("resident.read");

  /** Pages whose scope follows the navigator through ?org=; elsewhere picking a unit opens its page. */
  const scoped = ["/residents", "/orders", "/rates", ...CARE_SCOPED, ...COMMAND_SCOPED].includes(
    location.pathname,
  );

  function pick(id: number) {
    setDrawer(false);
    if (scoped) {
      const next = new URLSearchParams(params);
      next.set("org", String(id));
      next.delete("page");
      setParams(next);
    } else navigate(`/orgs/${id}`);
  }

  const p = location.pathname;
  const section = p.startsWith("/orgs")
    ? "overview"
    : p.startsWith("/residents")
      ? "residents"
      : p === "/orders/new"
        ? "intake"
        : p === "/orders/queue"
          ? "queue"
          : p.startsWith("/orders")
            ? "board"
            : p.startsWith("/rates/ranking")
              ? "ranking"
              : p.startsWith("/rates")
                ? "rates"
                : p.startsWith("/notifications")
                  ? "notifications"
                  : "";
  const withOrg = (path: string) => (orgId === me.org.id ? path : `${path}?org=${orgId}`);
  const targets: Record<string, () => string> = {
    overview: () => `/orgs/${orgId}`,
    residents: () => withOrg("/residents"),
    intake: () => "/orders/new",
    board: () => withOrg("/orders"),
    queue: () => "/orders/queue",
    notifications: () => "/notifications",
    rates: () => withOrg("/rates"),
    ranking: () => "/rates/ranking",
    ...careTargets(withOrg),
    ...verificationTargets(),
    ...mutualAidTargets(),
    ...campaignTargets(),
    ...commandTargets(withOrg),
    "volunteers-desk": () => "/volunteers/desk",
    "volunteers-grid": () => "/volunteers/grid",
    "affairs-desk": () => "/affairs",
    "affairs-inspect": () => "/affairs/inspect",
    ...adminTargets(),
  };
  const orderItems = [
    can("order.create") && {
      key: "intake",
      icon: <FormOutlined />,
      // Someone working a grid files what they found on patrol; the desk takes calls.
      label: t(me.org.kind === "grid" || me.org.kind === "micro_grid" ? "nav.report" : "nav.intake"),
    },
    can("order.read") && { key: "board", icon: <ProfileOutlined />, label: t("nav.board") },
    can("order.act") && { key: "queue", icon: <OrderedListOutlined />, label: t("nav.queue") },
    can("notification.read") && {
      key: "notifications",
      icon: <BellOutlined />,
      label: t("nav.notifications"),
    },
  ].filter((i) => !!i);
  const rateItems = can("rates.read")
    ? [
        { key: "rates", icon: <BarChartOutlined />, label: t("nav.rates") },
        { key: "ranking", icon: <TrophyOutlined />, label: t("nav.ranking") },
      ]
    : [];
  const menu = canRead ? (
    <Menu
      mode="inline"
      selectedKeys={[
        commandSection(p) ??
          careSection(p) ??
          verificationSection(p) ??
          mutualAidSection(p) ??
          campaignSection(p) ??
          adminSection(p) ??
          (p.startsWith("/volunteers/grid")
            ? "volunteers-grid"
            : p.startsWith("/volunteers")
              ? "volunteers-desk"
              : p === "/affairs/inspect"
                ? "affairs-inspect"
                : p.startsWith("/affairs")
                  ? "affairs-desk"
                  : section),
      ]}
      style={{ borderInlineEnd: "none" }}
      onClick={({ key }) => {
        setDrawer(false);
        navigate(targets[key]?.() ?? "/");
      }}
      items={[
        ...commandMenuGroup(can, t),
        { key: "overview", icon: <ApartmentOutlined />, label: t("nav.overview") },
        { key: "residents", icon: <TeamOutlined />, label: t("nav.residents") },
        ...(orderItems.length
          ? [{ type: "group" as const, key: "g-orders", label: t("nav.ordersGroup"), children: orderItems }]
          : []),
        ...(rateItems.length
          ? [{ type: "group" as const, key: "g-rates", label: t("nav.ratesGroup"), children: rateItems }]
          : []),
        ...careMenuGroup(can, t),
        ...verificationMenuGroup(can, t),
        ...mutualAidMenuGroup(can, t),
        ...campaignMenuGroup(can, t),
        ...(can("volunteer.read")
          ? [
              {
                type: "group" as const,
                key: "g-volunteers",
                label: t("volunteers.nav.group"),
                children: [
                  { key: "volunteers-desk", icon: <HeartOutlined />, label: t("volunteers.nav.desk") },
                  ...(can("wish.post")
                    ? [{ key: "volunteers-grid", icon: <GiftOutlined />, label: t("volunteers.grid.title") }]
                    : []),
                ],
              },
            ]
          : []),
        ...(can("affairs.read")
          ? [
              {
                type: "group" as const,
                key: "g-affairs",
                label: t("affairs.nav.group"),
                children: [
                  { key: "affairs-desk", icon: <ProjectOutlined />, label: t("affairs.nav.desk") },
                  ...(can("inspection.perform")
                    ? [
                        {
                          key: "affairs-inspect",
                          icon: <SafetyCertificateOutlined />,
                          label: t("affairs.nav.inspect"),
                        },
                      ]
                    : []),
                ],
              },
            ]
          : []),
        ...adminMenuGroup(can, t),
      ]}
    />
  ) : null;

  const crumbs = org.data?.breadcrumb ?? [];
  const breadcrumb = (
    <Breadcrumb
      items={crumbs.map((c, i) => ({
        key: c.id,
        title:
          i === crumbs.length - 1 ? (
            <span>{c.name}</span>
          ) : (
            <a
              href={`/orgs/${c.id}`}
              onClick={(e) => {
                e.preventDefault();
                pick(c.id);
              }}
            >
              {c.name}
            </a>
          ),
      }))}
    />
  );
  const role = t(`role.${me.role}`, { defaultValue: me.roleLabel });
  const logoutButton = (size?: "large") => (
    <Button
      size={size}
      icon={<LogoutOutlined />}
      onClick={async () => {
        await logout();
        navigate("/login");
      }}
    >
      {t("header.logout")}
    </Button>
  );
  const content = (
    <Suspense fallback={<PageLoading />}>
      <HolidayCoverageBanner />
      <Outlet />
    </Suspense>
  );

  // One tree for both layouts, the page always at the same place in it: crossing the breakpoint (a
  // tablet turned, a window resized) re-renders the frame but keeps the page's state and open dialogs.
  return (
    <Layout hasSider={desktop && canRead} style={{ minHeight: "100vh" }}>
      {desktop && canRead && (
        // The wrapper stretches to the page's height (white behind the sider); the sider itself stays in view.
        <div className="gk-sider">
          <Layout.Sider width={290} theme="light" style={SIDER_STYLE}>
            <div className="gk-logo">
              <ApartmentOutlined /> {t("app.name")}
            </div>
            {menu}
            <div style={{ padding: "8px 16px 24px" }}>
              <OrgNavigator onPick={pick} />
            </div>
          </Layout.Sider>
        </div>
      )}
      <Layout>
        {desktop ? (
          <Layout.Header className="gk-header" style={{ background: "#fff", padding: "0 24px" }}>
            {canRead ? breadcrumb : <div className="gk-logo gk-logo-inline">{t("app.name")}</div>}
            <Space size="middle">
              <span>
                <UserOutlined /> {me.displayName} <Tag color="blue">{role}</Tag>
              </span>
              <LangSwitch />
              {logoutButton()}
            </Space>
          </Layout.Header>
        ) : (
          <Layout.Header
            className="gk-header gk-header-phone"
            style={{ background: "#fff", padding: "0 8px" }}
          >
            <Button
              type="text"
              size="large"
              icon={<MenuOutlined />}
              aria-label={t("nav.openNav")}
              onClick={() => setDrawer(true)}
            />
            <Typography.Text strong ellipsis style={{ flex: 1, fontSize: 16 }}>
              {canRead ? (org.data?.unit.name ?? me.org.name) : t("app.name")}
            </Typography.Text>
            <LangSwitch size="small" />
          </Layout.Header>
        )}
        <Layout.Content style={{ padding: desktop ? 24 : 12 }}>{content}</Layout.Content>
        {!desktop && (
          <Drawer placement="left" open={drawer} onClose={() => setDrawer(false)} title={t("app.name")}>
            <Flex vertical gap={12}>
              <div>
                <UserOutlined /> {me.displayName} <Tag color="blue">{role}</Tag>
              </div>
              {canRead && breadcrumb}
              {menu}
              {canRead && <OrgNavigator onPick={pick} />}
              {logoutButton("large")}
            </Flex>
          </Drawer>
        )}
      </Layout>
    </Layout>
  );
}
