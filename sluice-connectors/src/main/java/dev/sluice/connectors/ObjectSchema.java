package dev.sluice.connectors;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The fields of one object type of one connection, as {@link Connector#describe} read them from the
 * platform; used to validate mappings and by {@link DestinationConnector#mapFields}. Immutable.
 *
 * @param objectType e.g. {@code "contacts"}, {@code "Contact"}, {@code "members"}, {@code "identify"}
 * @param fields the fields in the platform's order; names unique
 * @param openEnded true when the platform accepts fields it does not list (Segment traits): a
 *     mapping to an unlisted field is valid and its value is sent as text
 */
public record ObjectSchema(String objectType, List<Field> fields, boolean openEnded) {

  /** The type of a field's value, as every platform's types fold into it. */
  public enum FieldType {
    /** Free text, also e-mail addresses, phone numbers, URLs, text areas. */
    STRING,
    /** A decimal number (integers, doubles, currency, percent). */
    NUMBER,
    BOOLEAN,
    /** A calendar date, {@code yyyy-MM-dd}. */
    DATE,
    /** An instant, ISO-8601 in UTC ({@code 2026-01-15T10:30:00Z}). */
    DATETIME,
    /** One of {@link Field#options()} (picklist, enumeration, radio, select). */
    ENUMERATION,
    /** The platform's id of this or another record (Salesforce {@code id}/{@code reference}, HubSpot {@code hs_object_id}). */
    ID
  }

  /**
   * One field.
   *
   * @param name the API name, e.g. {@code "firstname"}, {@code "External_Id__c"}, {@code "FNAME"}
   * @param label the name people see, e.g. {@code "First Name"}
   * @param type the value's type
   * @param required a record cannot be created without it (Salesforce: not nillable, createable,
   *     not defaulted on create; Mailchimp: a required merge field)
   * @param unique the platform keeps its values unique (HubSpot {@code hasUniqueValue}, Salesforce
   *     {@code unique}/{@code externalId}): usable as an upsert key
   * @param writable a write may set it (not calculated, not read-only)
   * @param options for {@link FieldType#ENUMERATION}: the allowed values; empty otherwise
   */
  public record Field(String name, String label, FieldType type, boolean required, boolean unique, boolean writable,
      List<String> options) {
    public Field {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(type, "type");
      label = label == null || label.isBlank() ? name : label;
      options = List.copyOf(options == null ? List.of() : options);
    }

    /** A writable, optional, non-unique field without options. */
    public static Field of(String name, String label, FieldType type) {
      return new Field(name, label, type, false, false, true, List.of());
    }
  }

  public ObjectSchema {
    Objects.requireNonNull(objectType, "objectType");
    fields = List.copyOf(fields);
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (Field f : fields) {
      if (!seen.add(f.name())) {
        throw new IllegalArgumentException(objectType + " lists field '" + f.name() + "' twice");
      }
    }
  }

  /** The field called {@code name} (exact; Salesforce and Mailchimp names are case-insensitive, so a case-blind match second). */
  public java.util.Optional<Field> field(String name) {
    for (Field f : fields) {
      if (f.name().equals(name)) {
        return java.util.Optional.of(f);
      }
    }
    for (Field f : fields) {
      if (f.name().equalsIgnoreCase(name)) {
        return java.util.Optional.of(f);
      }
    }
    return java.util.Optional.empty();
  }

  /**
   * Checks and converts mapped values (field name → value from a mapping: {@code String}, {@code
   * Number}, {@code Boolean}, {@code java.time} values or null) to the platform's text forms: the
   * field must exist (unless {@link #openEnded}) and be writable, the value must have the field's
   * type, an enumeration's value must be one of its options (compared case-blind, sent as listed).
   * Null stays null (clears the field where the platform allows it).
   *
   * @param creating true when the record may be created: required fields must then have a value
   * @throws FieldMappingException with one error per bad field (field, value, reason), never half a record
   */
  public Map<String, String> check(Map<String, ?> values, boolean creating) throws FieldMappingException {
    Map<String, String> out = new LinkedHashMap<>();
    List<FieldMappingException.FieldError> errors = new ArrayList<>();
    for (Map.Entry<String, ?> e : values.entrySet()) {
      Object v = e.getValue();
      java.util.Optional<Field> f = field(e.getKey());
      if (f.isEmpty()) {
        if (openEnded) {
          out.put(e.getKey(), v == null ? null : FieldValues.text(v));
        } else {
          errors.add(new FieldMappingException.FieldError(e.getKey(), FieldValues.show(v), "no such field on " + objectType));
        }
        continue;
      }
      Field field = f.get();
      if (!field.writable()) {
        errors.add(new FieldMappingException.FieldError(field.name(), FieldValues.show(v), "is read-only on " + objectType));
        continue;
      }
      if (v == null) {
        out.put(field.name(), null);
        continue;
      }
      try {
        out.put(field.name(), FieldValues.coerce(field, v));
      } catch (IllegalArgumentException bad) {
        errors.add(new FieldMappingException.FieldError(field.name(), FieldValues.show(v), bad.getMessage()));
      }
    }
    if (creating) {
      for (Field f : fields) {
        if (f.required() && f.writable() && (out.get(f.name()) == null || out.get(f.name()).isBlank())
            && errors.stream().noneMatch(x -> x.field().equals(f.name()))) {
          errors.add(new FieldMappingException.FieldError(f.name(), FieldValues.show(out.get(f.name())),
              "is required to create a " + objectType.toLowerCase(Locale.ROOT) + " record"));
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new FieldMappingException(objectType, errors);
    }
    return out;
  }
}
