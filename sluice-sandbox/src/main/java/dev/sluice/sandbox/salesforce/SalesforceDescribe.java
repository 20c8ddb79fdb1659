package dev.sluice.sandbox.salesforce;

import static dev.sluice.sandbox.salesforce.SalesforceWire.JSON;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.sandbox.salesforce.SObjectSchema.Field;
import dev.sluice.sandbox.salesforce.SObjectSchema.FieldType;

/**
 * The metadata answers: describeGlobal ({@code GET /sobjects}), an object's basic information
 * ({@code GET /sobjects/{Obj}}) and its describe ({@code GET /sobjects/{Obj}/describe}) with the
 * field attributes mapping validation reads: {@code type}, {@code externalId}, {@code idLookup},
 * {@code createable}, {@code updateable}, {@code nillable}, {@code unique}, {@code picklistValues},
 * {@code referenceTo}/{@code relationshipName}.
 */
final class SalesforceDescribe {

  private SalesforceDescribe() {}

  static ObjectNode global(String prefix) {
    ObjectNode body = JSON.createObjectNode();
    body.put("encoding", "UTF-8");
    body.put("maxBatchSize", SalesforceSandbox.MAX_COLLECTION_RECORDS);
    ArrayNode sobjects = body.putArray("sobjects");
    for (SObjectSchema s : SObjectSchema.TYPES.values()) {
      sobjects.add(objectAttributes(s, prefix));
    }
    return body;
  }

  static ObjectNode basicInfo(SObjectSchema s, String prefix) {
    ObjectNode body = JSON.createObjectNode();
    body.set("objectDescribe", objectAttributes(s, prefix));
    body.putArray("recentItems");
    return body;
  }

  static ObjectNode describe(SObjectSchema s, String prefix) {
    ObjectNode body = objectAttributes(s, prefix);
    ArrayNode fields = body.putArray("fields");
    for (Field f : s.fields()) {
      fields.add(field(f));
    }
    ArrayNode children = body.putArray("childRelationships");
    if (s.name.equals("Account")) {
      for (SObjectSchema child : SObjectSchema.TYPES.values()) {
        Field lookup = child.relationship("Account");
        if (lookup != null) {
          ObjectNode c = children.addObject();
          c.put("cascadeDelete", false);
          c.put("childSObject", child.name);
          c.put("deprecatedAndHidden", false);
          c.put("field", lookup.name());
          c.put("relationshipName", child.labelPlural);
          c.put("restrictedDelete", false);
        }
      }
    }
    body.putArray("recordTypeInfos");
    body.putArray("supportedScopes");
    return body;
  }

  private static ObjectNode objectAttributes(SObjectSchema s, String prefix) {
    ObjectNode o = JSON.createObjectNode();
    o.put("activateable", false);
    o.put("createable", true);
    o.put("custom", false);
    o.put("customSetting", false);
    o.put("deletable", true);
    o.put("deprecatedAndHidden", false);
    o.put("feedEnabled", false);
    o.put("keyPrefix", s.keyPrefix);
    o.put("label", s.name);
    o.put("labelPlural", s.labelPlural);
    o.put("layoutable", true);
    o.put("mergeable", !s.name.equals("Opportunity"));
    o.put("name", s.name);
    o.put("queryable", true);
    o.put("replicateable", true);
    o.put("retrieveable", true);
    o.put("searchable", true);
    o.put("triggerable", true);
    o.put("undeletable", true);
    o.put("updateable", true);
    ObjectNode urls = o.putObject("urls");
    String base = prefix + "/sobjects/" + s.name;
    urls.put("sobject", base);
    urls.put("describe", base + "/describe");
    urls.put("rowTemplate", base + "/{ID}");
    return o;
  }

  private static ObjectNode field(Field f) {
    boolean writable = !f.system();
    boolean isBoolean = f.type() == FieldType.BOOLEAN;
    ObjectNode j = JSON.createObjectNode();
    j.put("aggregatable", !isBoolean);
    j.put("autoNumber", false);
    j.put("byteLength", f.isText() ? f.length() * 3 : 0);
    j.put("calculated", false);
    j.putNull("calculatedFormula");
    j.put("cascadeDelete", false);
    j.put("caseSensitive", false);
    j.put("createable", writable);
    j.put("custom", f.name().endsWith("__c"));
    j.putNull("defaultValue");
    j.put("defaultedOnCreate", f.system() || isBoolean);
    j.put("dependentPicklist", false);
    j.put("digits", f.type() == FieldType.INT ? 9 : 0);
    j.put("externalId", f.externalId());
    j.put("filterable", true);
    j.put("groupable", f.isText() || isBoolean || f.type() == FieldType.DATE);
    j.put("htmlFormatted", false);
    j.put("idLookup", f.idLookup());
    j.putNull("inlineHelpText");
    j.put("label", label(f.name()));
    j.put("length", f.isText() ? f.length() : 0);
    j.put("name", f.name());
    j.put("nameField", f.name().equals("Name"));
    j.put("namePointing", false);
    // Checkboxes and system fields are never null; required fields are not nillable.
    j.put("nillable", writable && !f.required() && !isBoolean);
    j.put("permissionable", writable && !f.required());
    ArrayNode picklist = j.putArray("picklistValues");
    for (String v : f.picklist()) {
      ObjectNode p = picklist.addObject();
      p.put("active", true);
      p.put("defaultValue", false);
      p.put("label", v);
      p.putNull("validFor");
      p.put("value", v);
    }
    boolean decimal = f.type() == FieldType.DOUBLE || f.type() == FieldType.CURRENCY;
    j.put("precision", decimal ? 18 : 0);
    ArrayNode referenceTo = j.putArray("referenceTo");
    if (f.referenceTo() != null) {
      referenceTo.add(f.referenceTo());
    }
    if (f.relationshipName() != null) {
      j.put("relationshipName", f.relationshipName());
    } else {
      j.putNull("relationshipName");
    }
    j.putNull("relationshipOrder");
    j.put("restrictedPicklist", false);
    j.put("scale", decimal ? 2 : 0);
    j.put("soapType", soapType(f.type()));
    j.put("sortable", true);
    j.put("type", f.type().name().toLowerCase(java.util.Locale.ROOT));
    j.put("unique", f.externalId());
    j.put("updateable", writable);
    return j;
  }

  private static String soapType(FieldType t) {
    return switch (t) {
      case ID, REFERENCE -> "tns:ID";
      case INT -> "xsd:int";
      case DOUBLE, CURRENCY -> "xsd:double";
      case DATE -> "xsd:date";
      case DATETIME -> "xsd:dateTime";
      case BOOLEAN -> "xsd:boolean";
      default -> "xsd:string";
    };
  }

  /** A label from the API name: {@code LastName} → "Last Name", {@code External_Id__c} → "External Id". */
  private static String label(String name) {
    if (name.equals("Id")) {
      return "Record ID";
    }
    String base = name.endsWith("__c") ? name.substring(0, name.length() - 3).replace('_', ' ') : name;
    if (base.endsWith("Id") && !base.endsWith(" Id") && base.length() > 2) {
      base = base.substring(0, base.length() - 2) + " ID";
    }
    return base.replaceAll("([a-z])([A-Z])", "$1 $2");
  }
}
