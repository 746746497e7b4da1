import { swanlabSessionRoute } from "@/lib/server/compat/swanlab/route";

/** SwanLab 0.9's chart definitions. Inkstone lays out charts from the data itself, so they are acknowledged only. */
export const POST = swanlabSessionRoute(async () => ({ status: 201 }));
