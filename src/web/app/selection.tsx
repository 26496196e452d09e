import { createContext, type ReactNode, useContext, useEffect, useState } from "react";

// The org unit the person is looking at: set by the navigator and by pages (an org page, a resident's
// unit), shown as the header breadcrumb and used as the resident list's scope.

interface Selection {
  orgId: number;
  setOrgId(id: number): void;
}

const SelectionContext = createContext<Selection | null>(null);

export function SelectionProvider({ initial, children }: { initial: number; children: ReactNode }) {
  const [orgId, setOrgId] = useState(initial);
  return <SelectionContext.Provider value={{ orgId, setOrgId }}>{children}</SelectionContext.Provider>;
}

export function useSelection(): Selection {
  const s = useContext(SelectionContext);
  if (!s) throw new Error("useSelection outside SelectionProvider");
  return s;
}

/** Makes `id` the selected unit while the calling page shows it. */
export function useSelectOrg(id: number | null | undefined): void {
  const { setOrgId } = useSelection();
  useEffect(() => {
    if (id) setOrgId(id);
  }, [id, setOrgId]);
}
