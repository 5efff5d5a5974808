/** The person's fields every enrolment form asks for (a principal's and a dependant's). */
import { Select, SimpleGrid, TextInput } from "@mantine/core";
import type { UseFormReturnType } from "@mantine/form";

export interface PersonValues {
  first_name: string;
  last_name: string;
  date_of_birth: string;
  sex: string;
  email: string;
  phone: string;
}

export const NO_PERSON: PersonValues = { first_name: "", last_name: "", date_of_birth: "", sex: "", email: "", phone: "" };

const SEXES = [
  { value: "F", label: "Female" },
  { value: "M", label: "Male" },
];

/** The values as the API takes them: blank optional fields left out. */
export function personBody(values: PersonValues) {
  return {
    first_name: values.first_name,
    last_name: values.last_name,
    date_of_birth: values.date_of_birth,
    sex: values.sex as "M" | "F",
    email: values.email || undefined,
    phone: values.phone || undefined,
  };
}

export function PersonFields<Values extends PersonValues>({ form }: { form: UseFormReturnType<Values> }) {
  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }}>
      <TextInput label="First name" required {...form.getInputProps("first_name")} />
      <TextInput label="Last name" required {...form.getInputProps("last_name")} />
      <TextInput label="Date of birth" type="date" required {...form.getInputProps("date_of_birth")} />
      <Select label="Sex" required data={SEXES} {...form.getInputProps("sex")} />
      <TextInput label="E-mail" type="email" {...form.getInputProps("email")} />
      <TextInput label="Phone" type="tel" {...form.getInputProps("phone")} />
    </SimpleGrid>
  );
}

type Person = { [Field in keyof PersonValues]: string | null };

/** A person on record as the form's values (nothing on record: blank). */
export function personValues(person: Person): PersonValues {
  return {
    first_name: person.first_name ?? "",
    last_name: person.last_name ?? "",
    date_of_birth: person.date_of_birth ?? "",
    sex: person.sex ?? "",
    email: person.email ?? "",
    phone: person.phone ?? "",
  };
}

/** Only the fields the form changed from the record; a field emptied is null (cleared). */
export function personChanges(person: Person, values: PersonValues): Partial<Record<keyof PersonValues, string | null>> {
  const before = personValues(person);
  const changes: Partial<Record<keyof PersonValues, string | null>> = {};
  for (const field of Object.keys(before) as (keyof PersonValues)[]) {
    const value = values[field].trim();
    if (value !== before[field]) changes[field] = value || null;
  }
  return changes;
}
