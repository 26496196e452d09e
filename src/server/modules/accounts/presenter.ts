import { maskPhone } from "../../../domain/mask/mask.ts";
import { Str, Type } from "../../platform/schemas.ts";

// What leaves the server of a staff account's work phone: masked in every list (138****5678, 0513-****3456);
// the full number only through an audited reveal, or printed on the contact card and the duty list, whose
// purpose is to carry it.

export const maskWorkPhone = (phone: string) => maskPhone(phone);

export const WorkPhoneRevealSchema = Type.Object({ field: Type.Literal("workPhone"), value: Str });
export const WorkPhoneSetSchema = Type.Object({
  id: Type.Integer(),
  workPhoneMasked: Type.Union([Str, Type.Null()]),
});
