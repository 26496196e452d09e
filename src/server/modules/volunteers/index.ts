// Volunteers 双报到 · 志愿服务: the face.
export { checkLedger, memberLedger } from "./ledger.ts";
export { volunteerPanel } from "./panel.ts";
export {
  OPEN_WISHES_PER_RESIDENT,
  type ResidentWish,
  wishesOfResident,
  wishFromApp,
  wishPhotoOfResident,
} from "./residentWishes.ts";
export { volunteerRoutes as routes } from "./routes.ts";
export { seedVolunteers, type VolunteerSeed } from "./seed.ts";
export { claimFor, qrTokenFor } from "./tasks.ts";
