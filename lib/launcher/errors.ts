import { ClientError } from "@/lib/errors";

export const conflict = (m: string) => new ClientError(409, m);
