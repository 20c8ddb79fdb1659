package dev.sluice.sandbox.hubspot;

import static dev.sluice.sandbox.hubspot.HubSpotApi.type;
import static dev.sluice.sandbox.hubspot.HubSpotWire.NODES;
import static dev.sluice.sandbox.hubspot.HubSpotWire.bodyObject;
import static dev.sluice.sandbox.hubspot.HubSpotWire.error;
import static dev.sluice.sandbox.hubspot.HubSpotWire.parseId;
import static dev.sluice.sandbox.hubspot.HubSpotWire.send;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.util.ArrayList;
import java.util.List;

/**
 * HubSpot's v4 associations API: batch read (paged per input), default associate, the associations
 * of one record, and dissociate. Registered by {@link HubSpotApi} behind its auth and rate limits.
 */
final class HubSpotAssociationsApi {
  /** Associations returned per input of a v4 batch read before the result pages. */
  static final int ASSOCIATIONS_PAGE = 500;

  private final HubSpotSandbox portal;

  HubSpotAssociationsApi(HubSpotSandbox portal) {
    this.portal = portal;
  }

  void register(JavalinDefaultRoutingApi app) {
    app.post("/crm/v4/associations/{from}/{to}/batch/read", this::associationsBatchRead);
    app.put("/crm/v4/objects/{from}/{id}/associations/default/{to}/{toId}", this::associateDefault);
    app.get("/crm/v4/objects/{from}/{id}/associations/{to}", this::associationsOfOne);
    app.delete("/crm/v4/objects/{from}/{id}/associations/{to}/{toId}", this::dissociate);
  }

  private void associationsBatchRead(Context ctx) {
    Between p = between(ctx, "No association is defined from ");
    if (p == null) return;
    HubSpotObjectType from = p.from();
    HubSpotObjectType to = p.to();
    AssociationKind kind = p.kind();
    JsonNode in = bodyObject(ctx);
    if (in == null) return;
    JsonNode inputs = in.get("inputs");
    if (inputs == null || !inputs.isArray()) {
      error(ctx, 400, "VALIDATION_ERROR", "'inputs' is required and must be an array of {\"id\": ...}");
      return;
    }
    if (inputs.size() > 1000) {
      error(ctx, 400, "VALIDATION_ERROR", "Too many inputs: at most 1000 ids per association batch read");
      return;
    }
    String startedAt = PortalStore.iso(portal.store().clock.millis());
    List<ObjectNode> results = new ArrayList<>();
    List<ObjectNode> errors = new ArrayList<>();
    portal.read(() -> {
      PortalStore store = portal.store();
      for (JsonNode input : inputs) {
        String idText = input.path("id").asText("");
        Long id = parseId(idText);
        PortalStore.Rec r = id == null ? null : store.live(from, id);
        long[] ids = r == null ? PortalStore.EMPTY : r.links(to);
        if (ids.length == 0) {
          ObjectNode e = NODES.objectNode();
          e.put("status", "error");
          e.put("category", "OBJECT_NOT_FOUND");
          e.put("subCategory", "crm.associations.NO_ASSOCIATIONS_FOUND");
          e.put("message", "No " + to.singular() + " is associated with " + from.singular() + " " + idText + ".");
          e.putObject("context").putArray("fromObjectId").add(idText);
          errors.add(e);
          continue;
        }
        // At most ASSOCIATIONS_PAGE per input; the rest through the result's own paging cursor.
        int start = 0;
        String after = input.path("after").asText("");
        if (!after.isEmpty()) {
          try {
            start = Math.max(0, Integer.parseInt(after));
          } catch (NumberFormatException e) {
            start = 0;
          }
        }
        ObjectNode res = NODES.objectNode();
        res.putObject("from").put("id", Long.toString(r.id));
        ArrayNode toArr = res.putArray("to");
        int end = Math.min(ids.length, start + ASSOCIATIONS_PAGE);
        for (int i = start; i < end; i++) {
          ObjectNode t = toArr.addObject();
          t.put("toObjectId", ids[i]); // a JSON number, as real responses send it
          associationTypes(t, kind, i == 0);
        }
        if (end < ids.length) {
          ObjectNode next = res.putObject("paging").putObject("next");
          next.put("after", Integer.toString(end));
        }
        results.add(res);
      }
      return null;
    });
    ObjectNode body = NODES.objectNode();
    body.put("status", "COMPLETE");
    ArrayNode r = body.putArray("results");
    results.forEach(r::add);
    if (!errors.isEmpty()) {
      body.put("numErrors", errors.size());
      ArrayNode e = body.putArray("errors");
      errors.forEach(e::add);
    }
    body.put("startedAt", startedAt);
    body.put("completedAt", PortalStore.iso(portal.store().clock.millis()));
    send(ctx, errors.isEmpty() ? 200 : 207, body);
  }

  private void associateDefault(Context ctx) {
    Between p = between(ctx, "No default association is defined from ");
    if (p == null) return;
    HubSpotObjectType from = p.from();
    HubSpotObjectType to = p.to();
    AssociationKind kind = p.kind();
    String startedAt = PortalStore.iso(portal.store().clock.millis());
    Boolean ok = portal.write(changes -> {
      PortalStore.Rec[] ab = records(ctx, p);
      if (ab == null) return false;
      portal.store().associate(kind, ab[0], ab[1], HubSpotSandbox.SOURCE_API, changes);
      return true;
    });
    if (!ok) {
      error(ctx, 404, "OBJECT_NOT_FOUND", "resource not found: " + from.singular() + " " + ctx.pathParam("id")
          + " or " + to.singular() + " " + ctx.pathParam("toId") + " does not exist");
      return;
    }
    ObjectNode body = NODES.objectNode();
    body.put("status", "COMPLETE");
    ArrayNode results = body.putArray("results");
    addSpec(results, kind, ctx.pathParam("id"), ctx.pathParam("toId"));
    AssociationKind back = kind.reverse();
    if (back != null) addSpec(results, back, ctx.pathParam("toId"), ctx.pathParam("id"));
    body.put("startedAt", startedAt);
    body.put("completedAt", PortalStore.iso(portal.store().clock.millis()));
    send(ctx, 200, body);
  }

  private static void addSpec(ArrayNode results, AssociationKind kind, String fromId, String toId) {
    ObjectNode o = results.addObject();
    o.putObject("from").put("id", fromId);
    o.putObject("to").put("id", toId);
    ObjectNode spec = o.putObject("associationSpec");
    spec.put("associationCategory", "HUBSPOT_DEFINED");
    spec.put("associationTypeId", kind.typeId());
  }

  /**
   * The association types of one v4 result: the primary type labelled "Primary" when the target is
   * the record's primary company (the sandbox's rule: its lowest-id company, as v3's embedded
   * {@code contact_to_company} names it), then the unlabeled default type.
   */
  private static void associationTypes(ObjectNode target, AssociationKind kind, boolean first) {
    ArrayNode types = target.putArray("associationTypes");
    if (kind != null && first && kind.primaryTypeId() != 0) {
      ObjectNode primary = types.addObject();
      primary.put("category", "HUBSPOT_DEFINED");
      primary.put("typeId", kind.primaryTypeId());
      primary.put("label", "Primary");
    }
    ObjectNode at = types.addObject();
    at.put("category", "HUBSPOT_DEFINED");
    at.put("typeId", kind == null ? 0 : kind.typeId());
    at.putNull("label");
  }

  private void associationsOfOne(Context ctx) {
    HubSpotObjectType from = type(ctx, "from");
    if (from == null) return;
    HubSpotObjectType to = type(ctx, "to");
    if (to == null) return;
    AssociationKind kind = AssociationKind.between(from, to);
    Long id = parseId(ctx.pathParam("id"));
    ObjectNode body = portal.read(() -> {
      PortalStore.Rec r = id == null ? null : portal.store().live(from, id);
      if (r == null) return null;
      ObjectNode out = NODES.objectNode();
      ArrayNode results = out.putArray("results");
      for (long other : r.links(to)) {
        ObjectNode t = results.addObject();
        t.put("toObjectId", other);
        associationTypes(t, kind, other == r.links(to)[0]);
      }
      return out;
    });
    if (body == null) {
      error(ctx, 404, "OBJECT_NOT_FOUND", "resource not found");
      return;
    }
    send(ctx, 200, body);
  }

  private void dissociate(Context ctx) {
    Between p = between(ctx, "No association is defined from ");
    if (p == null) return;
    portal.write(changes -> {
      PortalStore.Rec[] ab = records(ctx, p);
      if (ab != null) portal.store().dissociate(p.kind(), ab[0], ab[1], HubSpotSandbox.SOURCE_API, changes);
      return null;
    });
    ctx.status(204);
  }

  /** The two object types of an association route and the association between them. */
  private record Between(HubSpotObjectType from, HubSpotObjectType to, AssociationKind kind) {}

  /** The route's types and their association, or null after answering 400 (no such type or association). */
  private static Between between(Context ctx, String noAssociation) {
    HubSpotObjectType from = type(ctx, "from");
    if (from == null) return null;
    HubSpotObjectType to = type(ctx, "to");
    if (to == null) return null;
    AssociationKind kind = AssociationKind.between(from, to);
    if (kind == null) {
      error(ctx, 400, "VALIDATION_ERROR", noAssociation + from.plural() + " to " + to.plural());
      return null;
    }
    return new Between(from, to, kind);
  }

  /** The live records named by the path's {@code id} and {@code toId}, or null if either is missing. */
  private PortalStore.Rec[] records(Context ctx, Between p) {
    Long fromId = parseId(ctx.pathParam("id"));
    Long toId = parseId(ctx.pathParam("toId"));
    PortalStore store = portal.store();
    PortalStore.Rec a = fromId == null ? null : store.live(p.from(), fromId);
    PortalStore.Rec b = toId == null ? null : store.live(p.to(), toId);
    return a == null || b == null ? null : new PortalStore.Rec[] {a, b};
  }
}
