import { describe, expect, it } from "vitest";

import { describeChange } from "./changeRequests";

describe("a change request in words", () => {
  it("names the dependant to add", () => {
    const payload = { relationship: "CHILD", first_name: "Amaka", last_name: "Okafor", date_of_birth: "2019-05-14", sex: "F" };
    expect(describeChange({ kind: "ADD_DEPENDANT", payload })).toBe("Child: Amaka Okafor, born 2019-05-14");
  });

  it("lists each detail to edit, an emptied one as none", () => {
    expect(describeChange({ kind: "EDIT_ENROLLEE", payload: { phone_number: "+2348030000000", email: null } })).toBe("phone number → +2348030000000; email → none");
  });

  it("gives a removal's reason", () => {
    expect(describeChange({ kind: "DELETE_DEPENDANT", payload: { reason: "Left the company" } })).toBe("Because: Left the company");
    expect(describeChange({ kind: "DELETE_DEPENDANT", payload: {} })).toBe("No reason given");
  });
});
