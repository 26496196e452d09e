import { useQuery } from "@tanstack/react-query";
import { Empty, Grid, Segmented, Spin, Typography } from "antd";
import { MapChart, ScatterChart } from "echarts/charts";
import { GeoComponent, TooltipComponent, VisualMapComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import ReactEChartsCore from "echarts-for-react/esm/core";
import { Component, type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import {
  type Bounds,
  mercatorProjection,
  type PlacedTile,
  placeTiles,
  viewFrom,
} from "../../../domain/geo/tiles.ts";
import { type Answer, api, qs } from "../../app/api.ts";
import { usePrefersReducedMotion } from "../../app/motion.ts";
import type { Dashboard } from "./DashboardPage.tsx";
import { MapTiles } from "./tiles.tsx";

echarts.use([MapChart, ScatterChart, GeoComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

// The command map: the unit's children as polygons (the areas imported for the grids and communities),
// shaded by the measure a commander picks; a click opens the child. Down in a community or a grid the open
// orders are points (red when overdue), and a click opens the order. No tile server is needed: boundaries only,
// unless the operator configured a tile layer (MAP_TILE_URL), drawn under the transparent chart.

export type CommandMapData = Answer<"/api/command/map">;
export const MEASURES = ["openPer1000", "overdue", "satisfaction", "visitsOverdue"] as const;
export type Measure = (typeof MEASURES)[number];

export function useCommandMap(org: number | undefined) {
  return useQuery({
    queryKey: ["command", "map", org],
    queryFn: () => api<CommandMapData>(`/api/command/map${qs({ org })}`),
    staleTime: 30_000,
  });
}

/** A child's value for the measure (null when it cannot be told: no residents, no callbacks, no care role). */
export function measureOf(
  m: Measure,
  area: CommandMapData["areas"][number],
  child: Dashboard["children"][number] | undefined,
): number | null {
  switch (m) {
    case "openPer1000":
      return area.residents > 0 ? Math.round(((child?.open ?? 0) * 10_000) / area.residents) / 10 : null;
    case "overdue":
      return child?.overdue ?? 0;
    case "satisfaction":
      return child?.rates.satisfaction_rate.value == null
        ? null
        : Math.round(child.rates.satisfaction_rate.value * 1000) / 10;
    case "visitsOverdue":
      return area.visitsOverdue;
  }
}

/** A label anchor for an area: the mean of its outer ring's corners (the largest part of a MultiPolygon). */
export function anchorOf(geometry: { type: string; coordinates: unknown }): [number, number] {
  const rings =
    geometry.type === "MultiPolygon"
      ? (geometry.coordinates as number[][][][]).map((p) => p[0])
      : [(geometry.coordinates as number[][][])[0]];
  const ring = rings.reduce((a, b) => (b.length > a.length ? b : a));
  const corners = ring.slice(0, -1).length ? ring.slice(0, -1) : ring;
  const x = corners.reduce((s, c) => s + c[0], 0) / corners.length;
  const y = corners.reduce((s, c) => s + c[1], 0) / corners.length;
  return [x, y];
}

/** [west, south, east, north] of geometries' positions (a degree square round 0, 0 when there are none). */
function extentOf(geometries: { type: string; coordinates: unknown }[]): Bounds {
  const b: Bounds = [Infinity, Infinity, -Infinity, -Infinity];
  const walk = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === "number") {
      b[0] = Math.min(b[0], c[0]);
      b[1] = Math.min(b[1], c[1] as number);
      b[2] = Math.max(b[2], c[0]);
      b[3] = Math.max(b[3], c[1] as number);
    } else if (Array.isArray(c)) for (const x of c) walk(x);
  };
  for (const g of geometries) walk(g.coordinates);
  return b[0] < b[2] && b[1] < b[3] ? b : [-0.5, -0.5, 0.5, 0.5];
}

interface Spot {
  key: string;
  label: string;
  x: number;
  y: number;
  act: () => void;
}

/** Where a higher value is the better one, the palette runs the other way. */
const HIGHER_IS_BETTER: Measure[] = ["satisfaction"];

/** A #rrggbb colour see-through, so the tiles show under the shading. */
const seeThrough = (hex: string, alpha: number) =>
  `rgba(${Number.parseInt(hex.slice(1, 3), 16)}, ${Number.parseInt(hex.slice(3, 5), 16)}, ${Number.parseInt(hex.slice(5, 7), 16)}, ${alpha})`;

export function CommandMap({
  map,
  units,
  measure,
  onDrill,
  onOrder,
  dark,
  height,
}: {
  map: CommandMapData;
  /** The dashboard's figures of the same children (joined by unit id). */
  units: Dashboard["children"];
  measure: Measure;
  onDrill?: (unitId: number) => void;
  onOrder?: (orderId: number) => void;
  dark?: boolean;
  height?: number;
}) {
  const { t } = useTranslation();
  const phone = Grid.useBreakpoint().md === false;
  const still = usePrefersReducedMotion();
  const byId = useMemo(() => new Map(units.map((c) => [c.unit.id, c])), [units]);
  const name = `gk-map-${map.unit.id}`;
  const shaped = map.areas.filter((a) => a.geometry);
  const features = shaped.length
    ? shaped.map((a) => ({ type: "Feature", properties: { name: a.unit.name }, geometry: a.geometry }))
    : map.self
      ? [{ type: "Feature", properties: { name: map.unit.name }, geometry: map.self }]
      : [];
  // The drawn areas' bounds: two of its corners placed on the canvas tell where the tiles go.
  const extent = useMemo(() => {
    const drawn = map.areas.flatMap((a) => (a.geometry ? [a.geometry] : []));
    return extentOf(drawn.length ? drawn : map.self ? [map.self] : []);
  }, [map]);
  const chartRef = useRef<ReactEChartsCore>(null);
  const [spots, setSpots] = useState<Spot[]>([]);
  const placedRef = useRef("");
  const tileSource = map.tiles;
  const [tiles, setTiles] = useState<PlacedTile[]>([]);
  const tilesRef = useRef("");
  const chartHeight = height ?? (phone ? 320 : 420);
  // Where each area's anchor and each order fall on the canvas now; false until the chart can say.
  const place = useCallback((): boolean => {
    const chart = chartRef.current?.getEchartsInstance();
    if (!chart || chart.isDisposed()) return false;
    // Between a new option and its first frame there is no geo component to ask: the next frame will.
    const at = (lnglat: [number, number]) => {
      try {
        const xy = chart.convertToPixel({ geoIndex: 0 }, lnglat) as number[] | undefined;
        return xy && Number.isFinite(xy[0]) && Number.isFinite(xy[1]) ? xy : undefined;
      } catch {
        return undefined;
      }
    };
    const next: Spot[] = [];
    for (const a of map.areas) {
      const xy = a.geometry ? at(anchorOf(a.geometry)) : undefined;
      if (xy)
        next.push({
          key: `u${a.unit.id}`,
          label: a.unit.name,
          x: xy[0],
          y: xy[1],
          act: () => onDrill?.(a.unit.id),
        });
    }
    for (const p of map.points) {
      const xy = at([p.long, p.lat]);
      if (xy) next.push({ key: `o${p.id}`, label: p.number, x: xy[0], y: xy[1], act: () => onOrder?.(p.id) });
    }
    const wanted = map.areas.filter((a) => a.geometry).length + map.points.length;
    if (wanted > 0 && next.length === 0) return false;
    if (tileSource) {
      // Where the areas' outer corners fall on the canvas gives the view, and the view the tiles.
      const [west, south, east, north] = extent;
      const nw = at([west, north]);
      const se = at([east, south]);
      const view =
        nw && se
          ? viewFrom(
              { at: [west, north], px: [nw[0], nw[1]] },
              { at: [east, south], px: [se[0], se[1]] },
              chart.getWidth(),
              chart.getHeight(),
            )
          : undefined;
      const laid = view ? placeTiles(view, tileSource.url, tileSource.maxZoom) : [];
      const tileSig = laid.map((t) => `${t.key}:${t.left},${t.top}`).join(";");
      if (tileSig !== tilesRef.current) {
        tilesRef.current = tileSig;
        setTiles(laid);
      }
    }
    const sig = next.map((n) => `${n.key}:${Math.round(n.x)},${Math.round(n.y)}`).join(";");
    if (sig !== placedRef.current) {
      placedRef.current = sig;
      setSpots(next);
    }
    return true;
  }, [map, tileSource, extent, onDrill, onOrder]);
  // After each new map or measure: ask frame by frame until the chart has laid itself out (a second at most).
  // biome-ignore lint/correctness/useExhaustiveDependencies: the measure changes the chart, not the callback
  useEffect(() => {
    let frames = 0;
    let raf = 0;
    const tick = () => {
      if (!place() && frames++ < 60) raf = requestAnimationFrame(tick);
    };
    raf = requestAnimationFrame(tick);
    // The chart resizes with the window; its places move with it.
    const again = () => {
      frames = 0;
      raf = requestAnimationFrame(tick);
    };
    window.addEventListener("resize", again);
    return () => {
      cancelAnimationFrame(raf);
      window.removeEventListener("resize", again);
    };
  }, [place, measure]);
  // The option changes only with what it shows. Given anew on every render (a placed button or tile is one),
  // the chart was set afresh each time and lost the commander's zoom and pan right after the wheel moved it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: all of it follows from the map, figures, measure and look
  const option = useMemo(() => {
    if (!features.length) return null;
    // Registering again under the same name replaces the shapes (the unit's children are what they are now).
    echarts.registerMap(name, { type: "FeatureCollection", features } as never);
    const values = shaped.map((a) => ({
      name: a.unit.name,
      id: a.unit.id,
      value: measureOf(measure, a, byId.get(a.unit.id)),
    }));
    const known = values.map((v) => v.value).filter((v): v is number => v !== null);
    const max = Math.max(1, ...known);
    const min = measure === "satisfaction" && known.length ? Math.min(...known) : 0;
    // Over tiles the shading is see-through and the names have a halo, so the streets below can be read.
    const bad = ["#fff1f0", "#ffa39e", "#f5222d", "#a8071a"].map((c) =>
      tileSource ? seeThrough(c, 0.55) : c,
    );
    const ink = dark ? "#d6e4ff" : "#262626";
    const halo = tileSource ? { textBorderColor: dark ? "#000" : "#fff", textBorderWidth: 2 } : {};
    const option = {
      animation: !dark && !still,
      // The tiles show through the canvas.
      ...(tileSource ? { backgroundColor: "transparent" } : {}),
      tooltip: {
        trigger: "item",
        formatter: (p: { seriesType: string; name: string; value: unknown; data?: { number?: string } }) =>
          p.seriesType === "scatter"
            ? `${p.data?.number ?? ""}`
            : `${p.name}<br/>${t(`command.map.measure.${measure}`)}：${
                Array.isArray(p.value) || p.value == null || Number.isNaN(p.value) ? "—" : p.value
              }`,
      },
      visualMap: {
        min,
        max: Math.max(max, min + 1),
        calculable: true,
        seriesIndex: 0,
        orient: phone ? "horizontal" : "vertical",
        left: phone ? "center" : 8,
        bottom: 8,
        itemHeight: phone ? 100 : 120,
        text: [t("command.map.high"), t("command.map.low")],
        textStyle: { color: ink },
        inRange: { color: HIGHER_IS_BETTER.includes(measure) ? [...bad].reverse() : bad },
      },
      geo: {
        map: name,
        roam: true,
        // Tiles are Web Mercator; ECharts draws long/lat plainly unless given the same projection.
        ...(tileSource ? { projection: mercatorProjection } : {}),
        label: { show: shaped.length <= (phone ? 8 : 12), color: ink, fontSize: dark ? 16 : 11, ...halo },
        itemStyle: tileSource
          ? {
              borderColor: dark ? "#91caff" : "#434343",
              borderWidth: 1.5,
              areaColor: dark ? "rgba(29, 43, 79, 0.35)" : "rgba(245, 245, 245, 0.35)",
            }
          : { borderColor: dark ? "#91caff" : "#8c8c8c", areaColor: dark ? "#1d2b4f" : "#f5f5f5" },
        emphasis: {
          label: { color: "#000", ...(tileSource ? { textBorderColor: "#fff", textBorderWidth: 2 } : {}) },
          itemStyle: { areaColor: tileSource ? seeThrough("#ffd666", 0.7) : "#ffd666" },
        },
        select: { disabled: true },
      },
      series: [
        { type: "map", geoIndex: 0, data: values },
        {
          type: "scatter",
          coordinateSystem: "geo",
          symbolSize: dark ? 16 : 12,
          z: 10,
          data: map.points.map((p) => ({
            value: [p.long, p.lat],
            id: p.id,
            number: p.number,
            itemStyle: { color: p.overdue ? "#cf1322" : "#1668dc", borderColor: "#fff", borderWidth: 1.5 },
          })),
          zlevel: 1,
        },
      ],
    };
    return option;
  }, [map, byId, measure, phone, dark, still, t]);
  if (!option) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("command.map.noAreas")} />;
  return (
    <div style={{ position: "relative" }}>
      {tileSource && (
        <MapTiles tiles={tiles} attribution={tileSource.attribution} height={chartHeight} dark={dark} />
      )}
      <ReactEChartsCore
        ref={chartRef}
        echarts={echarts}
        option={option}
        notMerge
        // Positioned, and after the tiles: painted over them.
        style={{ height: chartHeight, position: "relative" }}
        onEvents={{
          click: (p: { seriesType: string; name: string; data?: { id?: number } }) => {
            if (p.seriesType === "scatter" && p.data?.id) onOrder?.(p.data.id);
            else {
              const hit = shaped.find((a) => a.unit.name === p.name);
              if (hit) onDrill?.(hit.unit.id);
            }
          },
          georoam: () => requestAnimationFrame(() => place()),
          // A new option (the figures moved) puts the view back where it starts: the places follow it.
          finished: () => place(),
        }}
      />
      {/* The canvas cannot be reached by keyboard or screen reader: each area and order also has a button at
          its place on the map (transparent until focused), which does what a click on the map does. */}
      {spots.map((sp) => (
        <button
          key={sp.key}
          type="button"
          className="gk-map-spot"
          aria-label={sp.label}
          style={{ left: sp.x, top: sp.y }}
          onClick={sp.act}
        />
      ))}
    </div>
  );
}

/** The dashboard's map card body: the measure picker above the map. */
/**
 * A drawing error of the map (ECharts has thrown while laying out the areas as the window changed size)
 * stays in the map's card: the dashboard around it keeps working, and the map is drawn again with the next
 * data or measure (`resetKey`). Without this the commander's whole page was replaced by the router's error.
 */
class MapBoundary extends Component<
  { resetKey: unknown; fallback: ReactNode; children: ReactNode },
  { failed: boolean; failedKey: unknown }
> {
  override state = { failed: false, failedKey: undefined as unknown };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  static getDerivedStateFromProps(
    props: { resetKey: unknown },
    state: { failed: boolean; failedKey: unknown },
  ) {
    const newer = state.failed && state.failedKey !== undefined && props.resetKey !== state.failedKey;
    return newer ? { failed: false, failedKey: undefined } : null;
  }
  private retries = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  override componentDidCatch(error: unknown) {
    this.setState({ failedKey: this.props.resetKey });
    console.warn("command map: drawing failed", error);
    // A throw while the window was resizing is gone a moment later: draw again by itself (a wall screen has
    // nobody to click), a few times, before waiting for the next data or measure.
    if (this.retries++ < 3) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.setState({ failed: false, failedKey: undefined }), 1000);
    }
  }
  override componentDidUpdate(prev: { resetKey: unknown }) {
    if (prev.resetKey !== this.props.resetKey) this.retries = 0;
  }
  override componentWillUnmount() {
    clearTimeout(this.timer);
  }
  override render() {
    return this.state.failed ? this.props.fallback : this.props.children;
  }
}

export function MapPanel({
  org,
  units,
  onDrill,
  onOrder,
  careToo,
}: {
  org: number | undefined;
  units: Dashboard["children"];
  onDrill: (unitId: number) => void;
  onOrder: (orderId: number) => void;
  careToo: boolean;
}) {
  const { t } = useTranslation();
  const [measure, setMeasure] = useState<Measure>("openPer1000");
  const q = useCommandMap(org);
  const options = MEASURES.filter((m) => m !== "visitsOverdue" || careToo).map((m) => ({
    value: m,
    label: t(`command.map.measure.${m}`),
  }));
  return (
    <div data-testid="command-map">
      <Segmented<Measure> size="small" options={options} value={measure} onChange={setMeasure} />
      {q.isPending ? (
        <Spin style={{ display: "block", margin: 48 }} />
      ) : !q.data ? (
        // Only a first load that failed: a failed refresh keeps the map it has.
        <Typography.Text type="danger">{t("command.map.failed")}</Typography.Text>
      ) : (
        <>
          <MapBoundary
            resetKey={`${q.dataUpdatedAt}:${measure}`}
            fallback={<Typography.Text type="secondary">{t("command.map.drawFailed")}</Typography.Text>}
          >
            <CommandMap map={q.data} units={units} measure={measure} onDrill={onDrill} onOrder={onOrder} />
          </MapBoundary>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {q.data.points.length
              ? t("command.map.pointsHint", { n: q.data.points.length })
              : t("command.map.drillHint")}
          </Typography.Text>
        </>
      )}
    </div>
  );
}
