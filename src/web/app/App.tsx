import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { App as AntApp, ConfigProvider } from "antd";
import enUS from "antd/locale/en_US";
import zhCN from "antd/locale/zh_CN";
import { lazy, type ReactNode, Suspense } from "react";
import { useTranslation } from "react-i18next";
import { createBrowserRouter, Navigate, Outlet, RouterProvider, useLocation } from "react-router";
import { ApiError } from "./api.ts";
import { AuthProvider, useAuth } from "./auth.tsx";
import { usePrefersReducedMotion } from "./motion.ts";
import { Shell } from "./Shell.tsx";
import { ErrorState, NotFoundPage, PageLoading } from "./states.tsx";

const LoginPage = lazy(() => import("../modules/auth/LoginPage.tsx"));
const WelcomePage = lazy(() => import("../modules/auth/WelcomePage.tsx"));
const OrgPage = lazy(() => import("../modules/orgs/OrgPage.tsx"));
const ResidentListPage = lazy(() => import("../modules/residents/ResidentListPage.tsx"));
const ResidentDetailPage = lazy(() => import("../modules/residents/ResidentDetailPage.tsx"));
const HouseholdPage = lazy(() => import("../modules/residents/HouseholdPage.tsx"));
const BuildingPage = lazy(() => import("../modules/residents/BuildingPage.tsx"));
const RosterImportPage = lazy(() => import("../modules/residents/RosterImportPage.tsx"));
const IntakePage = lazy(() => import("../modules/workOrders/IntakePage.tsx"));
const BoardPage = lazy(() => import("../modules/workOrders/BoardPage.tsx"));
const QueuePage = lazy(() => import("../modules/workOrders/QueuePage.tsx"));
const OrderDetailPage = lazy(() => import("../modules/workOrders/OrderDetailPage.tsx"));
const NotificationsPage = lazy(() => import("../modules/workOrders/NotificationsPage.tsx"));
const RatesPage = lazy(() => import("../modules/rates/RatesPage.tsx"));
const RankingPage = lazy(() => import("../modules/rates/RankingPage.tsx"));
const StatusPage = lazy(() => import("../modules/public/StatusPage.tsx"));
// Care 重点人群关爱.
const CommandDashboardPage = lazy(() => import("../modules/command/DashboardPage.tsx"));
const CommandScreenPage = lazy(() => import("../modules/command/BigScreenPage.tsx"));
const CommandReportsPage = lazy(() => import("../modules/command/ReportsPage.tsx"));
const CareLedgerPage = lazy(() => import("../modules/care/LedgerPage.tsx"));
const CareHealthPage = lazy(() => import("../modules/care/HealthPage.tsx"));
const CareVisitsPage = lazy(() => import("../modules/care/VisitsPage.tsx"));
const CareFollowupsPage = lazy(() => import("../modules/care/FollowupsPage.tsx"));
const CareReferralsPage = lazy(() => import("../modules/care/ReferralBoardPage.tsx"));
const CareTeamsPage = lazy(() => import("../modules/care/TeamsPage.tsx"));
const CareCardsPage = lazy(() => import("../modules/care/CardsPage.tsx"));
const CareDutyPage = lazy(() => import("../modules/care/DutyPage.tsx"));
// 志愿任务: where a volunteer lands (双报到 · 志愿服务).
const TasksPage = lazy(() => import("../modules/volunteers/MemberPage.tsx"));
// Admin 系统管理.
const CategoriesPage = lazy(() => import("../modules/admin/CategoriesPage.tsx"));
const Open311KeysPage = lazy(() => import("../modules/admin/Open311KeysPage.tsx"));
const HolidaysPage = lazy(() => import("../modules/holidays/HolidaysPage.tsx"));
const VerificationListsPage = lazy(() => import("../modules/verification/ListsPage.tsx"));
const VerificationListPage = lazy(() => import("../modules/verification/ListPage.tsx"));
const VerificationTasksPage = lazy(() => import("../modules/verification/TasksPage.tsx"));
// 互助服务: 共享药箱, 活动, 服务阵地 (public), and the resident's phone app (its own sign-in).
const MedicinePage = lazy(() => import("../modules/mutualAid/MedicinePage.tsx"));
const EventsPage = lazy(() => import("../modules/mutualAid/EventsPage.tsx"));
const PointsPage = lazy(() => import("../modules/mutualAid/PointsPage.tsx"));
const ResidentApp = lazy(() => import("../modules/residentApp/ResidentApp.tsx"));
// Door-to-door campaigns 敲门行动.
const CampaignDeskPage = lazy(() => import("../modules/campaigns/DeskPage.tsx"));
const CampaignFieldPage = lazy(() => import("../modules/campaigns/FieldPage.tsx"));
// Volunteers 双报到 · 志愿服务.
const VolunteerDeskPage = lazy(() => import("../modules/volunteers/DeskPage.tsx"));
const VolunteerGridPage = lazy(() => import("../modules/volunteers/GridPage.tsx"));
// Community affairs 实事项目 · 议事 · 重点工程 · 企业检查.
const AffairsDeskPage = lazy(() => import("../modules/affairs/DeskPage.tsx"));
const AffairsInspectPage = lazy(() => import("../modules/affairs/InspectPage.tsx"));
const PublicProjectsPage = lazy(() => import("../modules/affairs/PublicProjectsPage.tsx"));
const PublicDeliberationPage = lazy(() => import("../modules/affairs/PublicDeliberationPage.tsx"));

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      // Client errors (403, 404 …) will not change on retry.
      retry: (count, e) => !(e instanceof ApiError && e.status >= 400 && e.status < 500) && count < 2,
    },
  },
});

function RequireAuth() {
  const { me, loading } = useAuth();
  const location = useLocation();
  if (loading) return <PageLoading />;
  if (!me)
    return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  return <Outlet />;
}

/** Pages about residents: people without resident.read see the welcome page instead. */
function RequireResidentRead({ children }: { children?: ReactNode }) {
  const { can } = useAuth();
  if (!can("resident.read")) return <WelcomePage />;
  return children ?? <Outlet />;
}

/** Pages behind a permission: without it, 无权访问 (the server would refuse the data anyway). */
function RequirePermission({ permission }: { permission: string }) {
  const { can } = useAuth();
  const { t } = useTranslation();
  if (!can(permission)) return <ErrorState error={new ApiError(403, "forbidden", t("state.noPermission"))} />;
  return <Outlet />;
}

/**
 * Where each person's work is: "/" and a sign-in without a `next` open it, so nobody on a phone has to
 * open the menu to find their work.
 */
export function landingFor(role: string, orgId: number, can: (p: string) => boolean): string {
  const byRole: Record<string, [path: string, permission: string]> = {
    agent: ["/orders/new", "order.create"],
    grid_worker: ["/orders/queue", "order.act"],
    doctor: ["/care/followups", "health.write"],
    commander: ["/command", "command.read"],
    // A hospital's liaison has one piece of work: the referrals to their hospital.
    hospital_liaison: ["/care/referrals", "referral.read"],
    volunteer: ["/tasks", "volunteer.self"],
  };
  const mine = byRole[role];
  if (mine && can(mine[1])) return mine[0];
  return can("resident.read") ? `/orgs/${orgId}` : "/welcome";
}

function Home() {
  const { me, can } = useAuth();
  return <Navigate to={me ? landingFor(me.role, me.org.id, can) : "/welcome"} replace />;
}

const router = createBrowserRouter([
  {
    path: "/login",
    element: (
      <Suspense fallback={<PageLoading />}>
        <LoginPage />
      </Suspense>
    ),
  },
  {
    // The care team's public on-duty list: no account.
    path: "/duty/:communityId",
    element: (
      <Suspense fallback={<PageLoading />}>
        <CareDutyPage />
      </Suspense>
    ),
  },
  {
    // The resident's status and rating page: no account.
    path: "/status",
    element: (
      <Suspense fallback={<PageLoading />}>
        <StatusPage />
      </Suspense>
    ),
  },
  {
    // The public service-point directory: no account.
    path: "/service-points",
    element: (
      <Suspense fallback={<PageLoading />}>
        <PointsPage />
      </Suspense>
    ),
  },
  {
    // The resident's phone app: signs in with a code to the phone, not with a staff account.
    path: "/app",
    element: (
      <Suspense fallback={<PageLoading />}>
        <ResidentApp />
      </Suspense>
    ),
  },
  {
    // 列单-晒单-评单 and 议事 outcomes, public: no account.
    path: "/projects/:unitId",
    element: (
      <Suspense fallback={<PageLoading />}>
        <PublicProjectsPage />
      </Suspense>
    ),
  },
  {
    path: "/deliberations/:id",
    element: (
      <Suspense fallback={<PageLoading />}>
        <PublicDeliberationPage />
      </Suspense>
    ),
  },
  {
    element: <RequireAuth />,
    children: [
      {
        // The wall screen: full window, no shell.
        element: <RequirePermission permission="command.read" />,
        children: [
          {
            path: "command/screen",
            element: (
              <Suspense fallback={<PageLoading />}>
                <CommandScreenPage />
              </Suspense>
            ),
          },
        ],
      },
      {
        element: <Shell />,
        children: [
          { index: true, element: <Home /> },
          { path: "welcome", element: <WelcomePage /> },
          {
            element: <RequirePermission permission="volunteer.self" />,
            children: [{ path: "tasks", element: <TasksPage /> }],
          },
          {
            element: <RequireResidentRead />,
            children: [
              { path: "orgs/:id", element: <OrgPage /> },
              { path: "residents", element: <ResidentListPage /> },
              { path: "residents/rosters/:id?", element: <RosterImportPage /> },
              { path: "residents/:id", element: <ResidentDetailPage /> },
              { path: "households/:id", element: <HouseholdPage /> },
              { path: "buildings/:id", element: <BuildingPage /> },
            ],
          },
          {
            element: <RequirePermission permission="order.create" />,
            children: [{ path: "orders/new", element: <IntakePage /> }],
          },
          {
            element: <RequirePermission permission="order.read" />,
            children: [
              { path: "orders", element: <BoardPage /> },
              { path: "orders/queue", element: <QueuePage /> },
              { path: "orders/:id", element: <OrderDetailPage /> },
            ],
          },
          {
            element: <RequirePermission permission="command.read" />,
            children: [
              { path: "command", element: <CommandDashboardPage /> },
              { path: "command/reports", element: <CommandReportsPage /> },
            ],
          },
          {
            element: <RequirePermission permission="rates.read" />,
            children: [
              { path: "rates", element: <RatesPage /> },
              { path: "rates/ranking", element: <RankingPage /> },
            ],
          },
          {
            element: <RequirePermission permission="notification.read" />,
            children: [{ path: "notifications", element: <NotificationsPage /> }],
          },
          // Care 重点人群关爱.
          {
            element: <RequirePermission permission="care.read" />,
            children: [
              { path: "care/ledger", element: <CareLedgerPage /> },
              { path: "care/residents/:id", element: <CareHealthPage /> },
              { path: "care/teams", element: <CareTeamsPage /> },
              { path: "care/cards", element: <CareCardsPage /> },
            ],
          },
          {
            element: <RequirePermission permission="care.write" />,
            children: [{ path: "care/visits", element: <CareVisitsPage /> }],
          },
          {
            element: <RequirePermission permission="health.write" />,
            children: [{ path: "care/followups", element: <CareFollowupsPage /> }],
          },
          {
            element: <RequirePermission permission="referral.read" />,
            children: [{ path: "care/referrals", element: <CareReferralsPage /> }],
          },
          // Bulk list verification 大数据核查.
          {
            element: <RequirePermission permission="verification.manage" />,
            children: [
              { path: "verification", element: <VerificationListsPage /> },
              { path: "verification/lists/:id", element: <VerificationListPage /> },
            ],
          },
          {
            element: <RequirePermission permission="verification.task" />,
            children: [{ path: "verification/tasks", element: <VerificationTasksPage /> }],
          },
          // Admin 系统管理.
          {
            element: <RequirePermission permission="category.manage" />,
            children: [{ path: "admin/categories", element: <CategoriesPage /> }],
          },
          {
            element: <RequirePermission permission="open311.manage" />,
            children: [{ path: "admin/open311", element: <Open311KeysPage /> }],
          },
          {
            element: <RequirePermission permission="holiday.read" />,
            children: [{ path: "admin/holidays", element: <HolidaysPage /> }],
          },
          // 互助服务.
          {
            element: <RequirePermission permission="mutualaid.read" />,
            children: [
              { path: "mutual-aid/medicine", element: <MedicinePage /> },
              { path: "mutual-aid/events", element: <EventsPage /> },
            ],
          },
          // Volunteers 双报到 · 志愿服务.
          {
            element: <RequirePermission permission="volunteer.read" />,
            children: [{ path: "volunteers/desk", element: <VolunteerDeskPage /> }],
          },
          {
            element: <RequirePermission permission="wish.post" />,
            children: [{ path: "volunteers/grid", element: <VolunteerGridPage /> }],
          },
          // Door-to-door campaigns 敲门行动.
          {
            element: <RequirePermission permission="campaign.read" />,
            children: [{ path: "campaigns", element: <CampaignDeskPage /> }],
          },
          {
            element: <RequirePermission permission="campaign.field" />,
            children: [{ path: "campaigns/field", element: <CampaignFieldPage /> }],
          },
          // Community affairs.
          {
            element: <RequirePermission permission="affairs.read" />,
            children: [{ path: "affairs", element: <AffairsDeskPage /> }],
          },
          {
            element: <RequirePermission permission="inspection.perform" />,
            children: [{ path: "affairs/inspect", element: <AffairsInspectPage /> }],
          },
          { path: "*", element: <NotFoundPage /> },
        ],
      },
    ],
  },
]);

function Themed({ children }: { children: ReactNode }) {
  const { i18n } = useTranslation();
  const still = usePrefersReducedMotion();
  return (
    <ConfigProvider
      locale={i18n.language === "en" ? enUS : zhCN}
      // zeroRuntime: the component styles come from antd.css (main.tsx); the tokens below still apply, as
      // CSS variables (motion off sets their durations to 0s).
      theme={{ zeroRuntime: true, token: { colorPrimary: "#1668dc", motion: !still } }}
      button={{ autoInsertSpace: false }}
    >
      <AntApp>{children}</AntApp>
    </ConfigProvider>
  );
}

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <Themed>
        <AuthProvider>
          <RouterProvider router={router} />
        </AuthProvider>
      </Themed>
    </QueryClientProvider>
  );
}
