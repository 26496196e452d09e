import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { api, qs } from "../../app/api.ts";
import { useMe } from "../../app/auth.tsx";
import { formatTime } from "../../app/time.ts";
import { MAIN_RATES, percent } from "../rates/months.tsx";
import { CategoryChart, TrendChart } from "./charts.tsx";
import { type Dashboard, useLive } from "./DashboardPage.tsx";
import { CommandMap, useCommandMap } from "./map.tsx";
import "./command.css";

/** Seconds each rotating panel stays on the wall. */
const ROTATE_MS = 15_000;
const PANELS = ["trend", "map", "children", "categories"] as const;

// The wall screen: no menu, no clicks needed. It reads the figures when the server says something changed
// (and every 30 s anyway), and keeps showing the last ones it had (saying since when) while the network or
// the server is away, then catches up by itself.
export default function BigScreenPage() {
  const { t } = useTranslation();
  const me = useMe();
  const [params] = useSearchParams();
  const org = Number(params.get("org")) || me.org.id;
  useLive(org === me.org.id ? undefined : org, ["command-screen", org]);
  const q = useQuery({
    queryKey: ["command-screen", org],
    queryFn: () =>
      api<Dashboard>(`/api/command/dashboard${qs({ org: org === me.org.id ? undefined : org })}`),
    // Besides the live stream: a wall screen left alone for hours reads the figures every half minute.
    refetchInterval: 30_000,
    refetchIntervalInBackground: true,
    retry: true,
    retryDelay: (n) => Math.min(1000 * 2 ** n, 15_000),
  });
  // `?panel=map` pins one panel (a second screen that shows only the map); otherwise they rotate.
  const pinned = PANELS.indexOf(params.get("panel") as (typeof PANELS)[number]);
  const [panel, setPanel] = useState(Math.max(0, pinned));
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const tick = setInterval(() => setNow(new Date()), 1000);
    const rotate = setInterval(() => {
      if (pinned < 0) setPanel((p) => (p + 1) % PANELS.length);
    }, ROTATE_MS);
    return () => {
      clearInterval(tick);
      clearInterval(rotate);
    };
  }, [pinned]);

  const d = q.data;
  const clock = now.toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false });
  return (
    <div className="gk-screen" data-testid="big-screen">
      <div className="gk-screen-head">
        <h1>
          {t("command.title")} · {d?.unit.label ?? ""}
        </h1>
        {q.isError && (
          <span className="gk-screen-offline" role="status">
            {t("command.offline")}
            {d ? t("command.offlineSince", { time: formatTime(String(d.at)) }) : ""}
          </span>
        )}
        <span className="gk-screen-clock">{clock}</span>
        <Link
          to={`/command${qs({ org: org === me.org.id ? undefined : org })}`}
          style={{ color: "#5b7bb5", fontSize: 16 }}
        >
          {t("command.exitScreen")}
        </Link>
      </div>
      {d ? <Wall d={d} panel={PANELS[panel]} /> : <div style={{ fontSize: 28 }}>{t("command.loading")}</div>}
    </div>
  );
}

function Wall({ d, panel }: { d: Dashboard; panel: (typeof PANELS)[number] }) {
  const { t } = useTranslation();
  const s = d.situation;
  const kpis: [keyof typeof s, "bad" | "warn" | undefined][] = [
    ["receivedToday", undefined],
    ["closedToday", undefined],
    ["open", undefined],
    ["overdue", "bad"],
    ["escalated", "warn"],
    ["dueSoon", "warn"],
  ];
  const busiest = [...d.children].sort((a, b) => b.open - a.open).slice(0, 9);
  return (
    <>
      <div className="gk-screen-kpis">
        {kpis.map(([k, tone]) => (
          <div key={k} className={`gk-screen-kpi ${tone && s[k] > 0 ? `gk-${tone}` : ""}`}>
            <div className="gk-screen-label">{t(`command.situation.${k}`)}</div>
            <div className="gk-screen-value" data-kpi={k}>
              {s[k].toLocaleString("zh-CN")}
            </div>
          </div>
        ))}
      </div>
      <div className="gk-screen-body">
        <div className="gk-screen-panel" data-panel={panel}>
          {panel === "trend" && (
            <>
              <h2>{t("command.trend")}</h2>
              <TrendChart days={d.days} dark height={560} />
            </>
          )}
          {panel === "children" && (
            <>
              <h2>{t("command.children")}</h2>
              <table>
                <thead>
                  <tr>
                    <th>{t("command.unit")}</th>
                    <th>{t("command.open")}</th>
                    <th>{t("command.overdue")}</th>
                    <th>{t("rates.name.on_time_rate")}</th>
                    <th>{t("rates.name.satisfaction_rate")}</th>
                  </tr>
                </thead>
                <tbody>
                  {busiest.map((c) => (
                    <tr key={c.unit.id}>
                      <td>{c.unit.name}</td>
                      <td>{c.open}</td>
                      <td style={{ color: c.overdue ? "#ff7875" : undefined }}>{c.overdue}</td>
                      <td>{percent(c.rates.on_time_rate)}</td>
                      <td>{percent(c.rates.satisfaction_rate)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
          {panel === "map" && <ScreenMap d={d} />}
          {panel === "categories" && (
            <>
              <h2>{t("command.byCategory")}</h2>
              <CategoryChart items={d.byCategory} dark height={560} top={10} />
            </>
          )}
        </div>
        <div style={{ display: "grid", gridTemplateRows: "auto 1fr", gap: 20, minHeight: 0 }}>
          <div className="gk-screen-panel">
            <h2>
              {t("command.period")} {d.days[0]?.day} ～ {d.days.at(-1)?.day}
            </h2>
            <div className="gk-screen-rates">
              {MAIN_RATES.map((n) => (
                <div key={n}>
                  <div className="gk-screen-label" style={{ color: "#9fc3ff", fontSize: 20 }}>
                    {t(`rates.name.${n}`)}
                  </div>
                  <div className="gk-screen-rate">{percent(d.period.rates[n])}</div>
                </div>
              ))}
            </div>
          </div>
          <div className="gk-screen-panel">
            <h2>{t("command.hotSpots", { days: 30, min: 3 })}</h2>
            {d.hotSpots.length === 0 ? (
              <div style={{ color: "#9fc3ff" }}>{t("command.noHotSpots")}</div>
            ) : (
              <table>
                <tbody>
                  {d.hotSpots.slice(0, 6).map((h) => (
                    <tr key={`${h.kind}-${h.buildingId ?? h.orgUnitId}-${h.categoryCode}`}>
                      <td>{h.place}</td>
                      <td>{h.categoryName}</td>
                      <td style={{ color: "#ff7875", fontWeight: 700 }}>{h.count}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        </div>
      </div>
    </>
  );
}

/** The map panel: the children shaded by open orders per 1,000 residents, no interaction. */
function ScreenMap({ d }: { d: Dashboard }) {
  const { t } = useTranslation();
  const me = useMe();
  const q = useCommandMap(d.unit.id === me.org.id ? undefined : d.unit.id);
  return (
    <>
      <h2>
        {t("command.map.title")} · {t("command.map.measure.openPer1000")}
      </h2>
      {q.data ? (
        <CommandMap map={q.data} units={d.children} measure="openPer1000" dark height={560} />
      ) : (
        <div style={{ fontSize: 24 }}>{t("command.loading")}</div>
      )}
    </>
  );
}
