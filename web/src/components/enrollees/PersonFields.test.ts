import { describe, expect, it } from "vitest";

import { personChanges, personValues } from "./PersonFields";

const ON_RECORD = { first_name: "Ada", last_name: "Obi", date_of_birth: "1990-01-02", sex: "F", email: null, phone: "+2348030000000" };

describe("a person's edit", () => {
  it("is blank where nothing is on record", () => {
    expect(personValues(ON_RECORD).email).toBe("");
  });

  it("names only the fields changed, an emptied one as null", () => {
    const values = { ...personValues(ON_RECORD), last_name: " Okafor ", phone: "", email: "" };
    expect(personChanges(ON_RECORD, values)).toEqual({ last_name: "Okafor", phone: null });
  });

  it("is empty when nothing changed", () => {
    expect(personChanges(ON_RECORD, personValues(ON_RECORD))).toEqual({});
  });
});
