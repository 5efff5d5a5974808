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
