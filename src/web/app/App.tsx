import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { App as AntApp, ConfigProvider } from "antd";
import enUS from "antd/locale/en_US";
import zhCN from "antd/locale/zh_CN";
import { lazy, type ReactNode, Suspense } from "react";
import { useTranslation } from "react-i18next";
import { createBrowserRouter, Navigate, Outlet, RouterProvider, useLocation } from "react-router";
import { ApiError } from "./api.ts";
import { AuthProvider, useAuth } from "./auth.tsx";
import { Shell } from "./Shell.tsx";
import { NotFoundPage, PageLoading } from "./states.tsx";

const LoginPage = lazy(() => import("../modules/auth/LoginPage.tsx"));
const WelcomePage = lazy(() => import("../modules/auth/WelcomePage.tsx"));
const OrgPage = lazy(() => import("../modules/orgs/OrgPage.tsx"));
const ResidentListPage = lazy(() => import("../modules/residents/ResidentListPage.tsx"));
const ResidentDetailPage = lazy(() => import("../modules/residents/ResidentDetailPage.tsx"));
const HouseholdPage = lazy(() => import("../modules/residents/HouseholdPage.tsx"));
const BuildingPage = lazy(() => import("../modules/residents/BuildingPage.tsx"));

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

function Home() {
  const { me, can } = useAuth();
  return <Navigate to={can("resident.read") && me ? `/orgs/${me.org.id}` : "/welcome"} replace />;
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
    element: <RequireAuth />,
    children: [
      {
        element: <Shell />,
        children: [
          { index: true, element: <Home /> },
          { path: "welcome", element: <WelcomePage /> },
          {
            element: <RequireResidentRead />,
            children: [
              { path: "orgs/:id", element: <OrgPage /> },
              { path: "residents", element: <ResidentListPage /> },
              { path: "residents/:id", element: <ResidentDetailPage /> },
              { path: "households/:id", element: <HouseholdPage /> },
              { path: "buildings/:id", element: <BuildingPage /> },
            ],
          },
          { path: "*", element: <NotFoundPage /> },
        ],
      },
    ],
  },
]);

function Themed({ children }: { children: ReactNode }) {
  const { i18n } = useTranslation();
  return (
    <ConfigProvider
      locale={i18n.language === "en" ? enUS : zhCN}
      theme={{ token: { colorPrimary: "#1668dc" } }}
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
