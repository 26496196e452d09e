import type { PlacedTile } from "../../../domain/geo/tiles.ts";

// The operator's map tiles (MAP_TILE_URL) under the command map's transparent canvas: plain <img> squares
// placed by the map from the geo component's view. Decorative: hidden from screen readers, never clicked.

/** A tile that failed is hidden (no broken-image icon) and tried again later, less and less often. */
function retryLater(img: HTMLImageElement) {
  img.style.visibility = "hidden";
  const tries = Number(img.dataset.tries ?? 0);
  img.dataset.tries = String(tries + 1);
  // A wall screen runs for days: a tile server that was down comes back without a reload.
  setTimeout(
    () => {
      // biome-ignore lint/correctness/noSelfAssign: assigning src again loads the image again
      if (img.isConnected) img.src = img.src;
    },
    Math.min(30_000 * 2 ** tries, 600_000),
  );
}

export function MapTiles({
  tiles,
  attribution,
  height,
  dark,
}: {
  tiles: PlacedTile[];
  attribution: string;
  height: number;
  dark?: boolean;
}) {
  return (
    <>
      <div
        data-testid="command-map-tiles"
        aria-hidden
        style={{
          position: "absolute",
          inset: 0,
          height,
          overflow: "hidden",
          pointerEvents: "none",
          // The wall screen is dark: its tiles too, so the shaded areas stay what the eye reads first.
          filter: dark ? "brightness(0.45) saturate(0.6)" : undefined,
        }}
      >
        {tiles.map((t) => (
          <img
            key={t.key}
            data-tile={t.key}
            src={t.src}
            alt=""
            draggable={false}
            decoding="async"
            // The page sends no referrer elsewhere; tile services with browser keys check the site's origin.
            referrerPolicy="strict-origin"
            onLoad={(e) => {
              e.currentTarget.style.visibility = "visible";
            }}
            onError={(e) => retryLater(e.currentTarget)}
            style={{
              position: "absolute",
              left: t.left,
              top: t.top,
              width: t.width,
              height: t.height,
              maxWidth: "none",
            }}
          />
        ))}
      </div>
      {attribution && (
        <div
          data-testid="command-map-attribution"
          style={{
            position: "absolute",
            // Top right: the colour scale takes the bottom (across it, on a phone).
            right: 0,
            top: 0,
            maxWidth: "70%",
            padding: "0 4px",
            fontSize: 11,
            lineHeight: "18px",
            whiteSpace: "nowrap",
            overflow: "hidden",
            textOverflow: "ellipsis",
            color: dark ? "#d6e4ff" : "#595959",
            background: dark ? "rgba(0, 0, 0, 0.5)" : "rgba(255, 255, 255, 0.75)",
          }}
        >
          {attribution}
        </div>
      )}
    </>
  );
}
