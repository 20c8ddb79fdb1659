package dev.sluice.sandbox.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The five batch calls of one object type. Each input succeeds or fails on its own; failures
 * become per-input errors (the caller answers 207), never a lost write.
 */
final class BatchWrites {
  private final HubSpotSandbox portal;
  private final HubSpotObjectType type;

  BatchWrites(HubSpotSandbox portal, HubSpotObjectType type) {
    this.portal = portal;
    this.type = type;
  }

  HubSpotApi.BatchOutcome read(JsonNode body, boolean archived) {
    List<String> properties = new ArrayList<>();
    JsonNode p = body.get("properties");
    if (p != null && p.isArray()) p.forEach(n -> properties.add(n.asText()));
    String idProperty = body.hasNonNull("idProperty") ? body.get("idProperty").asText() : null;
    if (idProperty != null && !portal.read(() -> portal.store().hasUniqueIndex(type, idProperty))) {
      portal.write(changes -> {
        portal.store().ensureUniqueIndex(type, idProperty);
        return null;
      });
    }
    List<ObjectNode> results = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    portal.read(() -> {
      PortalStore store = portal.store();
      PortalStore.Table t = store.table(type);
      for (JsonNode input : body.get("inputs")) {
        String id = input.path("id").asText("");
        PortalStore.Rec r;
        if (idProperty != null) {
          r = archived ? null : store.byUnique(type, idProperty, id);
        } else {
          Long n = HubSpotWire.parseId(id);
          r = n == null ? null : archived ? t.archived.get(n) : store.live(type, n);
        }
        if (r == null) missing.add(id);
        else results.add(HubSpotWire.recordJson(t, r, properties, List.of(), archived));
      }
      return null;
    });
    List<ObjectNode> errors = new ArrayList<>();
    if (!missing.isEmpty()) {
      errors.add(HubSpotWire.batchError("OBJECT_NOT_FOUND", "Could not get some " + type.singular().toUpperCase(java.util.Locale.ROOT)
          + " objects, they may be deleted or not exist. Check that ids are valid.", null, missing));
    }
    return new HubSpotApi.BatchOutcome(results, errors, null);
  }

  HubSpotApi.BatchOutcome create(JsonNode inputs) {
    List<WriteInput> parsed = new ArrayList<>();
    for (JsonNode in : inputs) parsed.add(WriteInput.parse(type, in.isObject() ? in : HubSpotWire.NODES.objectNode()));
    List<ObjectNode> results = new ArrayList<>();
    List<ObjectNode> errors = new ArrayList<>();
    portal.write(changes -> {
      PortalStore store = portal.store();
      for (WriteInput in : parsed) {
        String problem = in.problem();
        if (problem == null) problem = HubSpotApi.associationProblem(store, type, in);
        if (problem != null) {
          errors.add(HubSpotWire.batchError("VALIDATION_ERROR", problem, in.traceId(), null));
          continue;
        }
        String conflict = HubSpotApi.uniquenessConflict(store, type, in.properties());
        if (conflict != null) {
          errors.add(HubSpotWire.batchError("CONFLICT", conflict, in.traceId(), null));
          continue;
        }
        PortalStore.Rec r = store.create(type, in.properties(), store.clock.millis(), HubSpotSandbox.SOURCE_API, changes);
        HubSpotApi.applyAssociations(store, type, r, in, changes);
        results.add(HubSpotWire.writtenJson(store.table(type), r, in.properties().keySet(), null));
      }
      return null;
    });
    return new HubSpotApi.BatchOutcome(results, errors, null);
  }

  HubSpotApi.BatchOutcome update(JsonNode inputs) {
    List<WriteInput> parsed = new ArrayList<>();
    for (JsonNode in : inputs) parsed.add(WriteInput.parse(type, in.isObject() ? in : HubSpotWire.NODES.objectNode()));
    List<ObjectNode> results = new ArrayList<>();
    List<ObjectNode> errors = new ArrayList<>();
    portal.write(changes -> {
      PortalStore store = portal.store();
      for (WriteInput in : parsed) {
        if (in.structuralProblem() != null) {
          errors.add(HubSpotWire.batchError("VALIDATION_ERROR", in.structuralProblem(), in.traceId(), idList(in)));
          continue;
        }
        if (in.id() == null) {
          errors.add(HubSpotWire.batchError("VALIDATION_ERROR", "each input needs an 'id'", in.traceId(), null));
          continue;
        }
        PortalStore.Rec r = find(store, in.idProperty(), in.id());
        if (r == null) {
          errors.add(HubSpotWire.batchError("OBJECT_NOT_FOUND", "Object not found. objectId are usually numeric.", in.traceId(), idList(in)));
          continue;
        }
        if (in.propertyProblem() != null) {
          errors.add(HubSpotWire.batchError("VALIDATION_ERROR", in.propertyProblem(), in.traceId(), idList(in)));
          continue;
        }
        store.update(type, r, in.properties(), HubSpotSandbox.SOURCE_API, changes);
        results.add(HubSpotWire.writtenJson(store.table(type), r, in.properties().keySet(), null));
      }
      return null;
    });
    return new HubSpotApi.BatchOutcome(results, errors, null);
  }

  HubSpotApi.BatchOutcome upsert(JsonNode inputs) {
    List<WriteInput> parsed = new ArrayList<>();
    for (JsonNode in : inputs) parsed.add(WriteInput.parse(type, in.isObject() ? in : HubSpotWire.NODES.objectNode()));
    List<ObjectNode> results = new ArrayList<>();
    List<ObjectNode> errors = new ArrayList<>();
    portal.write(changes -> {
      PortalStore store = portal.store();
      for (WriteInput in : parsed) {
        if (in.structuralProblem() != null) {
          errors.add(HubSpotWire.batchError("VALIDATION_ERROR", in.structuralProblem(), in.traceId(), idList(in)));
          continue;
        }
        if (in.id() == null || in.id().isEmpty()) {
          errors.add(HubSpotWire.batchError("VALIDATION_ERROR", "each upsert input needs an 'id' (the value of 'idProperty')", in.traceId(), null));
          continue;
        }
        String idProperty = in.idProperty() == null ? "hs_object_id" : in.idProperty();
        PortalStore.Rec r = find(store, idProperty, in.id());
        if (r != null && in.propertyProblem() != null) {
          errors.add(HubSpotWire.batchError("VALIDATION_ERROR", in.propertyProblem(), in.traceId(), List.of(in.id())));
          continue;
        }
        if (r != null) {
          store.update(type, r, in.properties(), HubSpotSandbox.SOURCE_API, changes);
          results.add(HubSpotWire.writtenJson(store.table(type), r, in.properties().keySet(), false));
          continue;
        }
        if (idProperty.equals("hs_object_id")) {
          errors.add(HubSpotWire.batchError("OBJECT_NOT_FOUND", "No " + type.singular() + " with id " + in.id()
              + "; upsert creates records only when matched by a unique property (idProperty)", in.traceId(), List.of(in.id())));
          continue;
        }
        Map<String, String> props = new LinkedHashMap<>(in.properties());
        props.putIfAbsent(idProperty, in.id());
        WriteInput creating = new WriteInput(type, props, in.associations(), in.traceId(), in.id(), idProperty, null);
        String problem = creating.problem();
        if (problem != null) {
          errors.add(HubSpotWire.batchError("VALIDATION_ERROR", problem, in.traceId(), List.of(in.id())));
          continue;
        }
        PortalStore.Rec created = store.create(type, props, store.clock.millis(), HubSpotSandbox.SOURCE_API, changes);
        results.add(HubSpotWire.writtenJson(store.table(type), created, props.keySet(), true));
      }
      return null;
    });
    return new HubSpotApi.BatchOutcome(results, errors, null);
  }

  HubSpotApi.BatchOutcome archive(JsonNode inputs) {
    List<String> ids = new ArrayList<>();
    for (JsonNode in : inputs) ids.add(in.path("id").asText(""));
    List<String> missing = new ArrayList<>();
    portal.write(changes -> {
      PortalStore store = portal.store();
      for (String id : ids) {
        Long n = HubSpotWire.parseId(id);
        PortalStore.Rec r = n == null ? null : store.live(type, n);
        if (r == null) {
          // Already archived is fine (archive is idempotent); never existed is reported.
          if (n == null || !store.table(type).archived.containsKey(n)) missing.add(id);
          continue;
        }
        store.archive(type, r, HubSpotSandbox.SOURCE_API, changes);
      }
      return null;
    });
    List<ObjectNode> errors = new ArrayList<>();
    if (!missing.isEmpty()) {
      errors.add(HubSpotWire.batchError("OBJECT_NOT_FOUND", "Could not archive some " + type.singular().toUpperCase(java.util.Locale.ROOT)
          + " objects: they do not exist.", null, missing));
    }
    return new HubSpotApi.BatchOutcome(List.of(), errors, null);
  }

  /** A live record by id or by a unique property; write lock held (may build the index). */
  private PortalStore.Rec find(PortalStore store, String idProperty, String id) {
    if (idProperty == null || idProperty.equals("hs_object_id")) {
      Long n = HubSpotWire.parseId(id);
      return n == null ? null : store.live(type, n);
    }
    store.ensureUniqueIndex(type, idProperty);
    return store.byUnique(type, idProperty, id);
  }

  private static List<String> idList(WriteInput in) {
    return in.id() == null ? null : List.of(in.id());
  }
}
