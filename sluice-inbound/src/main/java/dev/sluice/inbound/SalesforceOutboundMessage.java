package dev.sluice.inbound;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Parses a Salesforce Outbound Message (a SOAP envelope with up to 100 {@code Notification}s, each
 * an id and an {@code sObject} with the record's current field values). The parser is a StAX
 * reader with DTDs and external entities switched off; a DOCTYPE or any entity reference other
 * than XML's five is refused, so neither entity expansion nor external fetches can happen.
 */
final class SalesforceOutboundMessage {
  static final int MAX_NOTIFICATIONS = 100;
  static final String ACK = "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body>"
      + "<notificationsResponse xmlns=\"http://soap.sforce.com/2005/09/outbound\"><Ack>true</Ack></notificationsResponse>"
      + "</soapenv:Body></soapenv:Envelope>";
  /**
   * A SOAP 1.1 Fault for a refused or unstored message ({@code soapenv:Client} for a 4xx: the
   * message itself is at fault; {@code soapenv:Server} for a 5xx: try again): Salesforce treats any
   * answer without the Ack as a failed delivery and retries it.
   */
  static String fault(int status, String reason) {
    return "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body><soapenv:Fault>"
        + "<faultcode>soapenv:" + (status >= 500 ? "Server" : "Client") + "</faultcode><faultstring>" + xmlText(reason)
        + "</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>";
  }

  private static String xmlText(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        default -> b.append(ch < 0x20 ? ' ' : ch); // control characters are not allowed in XML 1.0
      }
    }
    return b.toString();
  }

  private static final String XSI = "http://www.w3.org/2001/XMLSchema-instance";
  private static final XMLInputFactory FACTORY = hardenedFactory();

  record Notification(String id, String sObjectType, String recordId, Map<String, String> fields) {}

  record Parsed(String organizationId, String actionId, List<Notification> notifications) {}

  private SalesforceOutboundMessage() {}

  private static XMLInputFactory hardenedFactory() {
    XMLInputFactory f = XMLInputFactory.newDefaultFactory();
    f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    f.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
    f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
    return f;
  }

  static Parsed parse(byte[] body) {
    String org = null;
    String action = null;
    List<Notification> out = new ArrayList<>();
    Deque<String> path = new ArrayDeque<>();
    String id = null;
    String type = null;
    Map<String, String> fields = null;
    boolean sawNotifications = false;
    XMLStreamReader r = null;
    // Salesforce sends UTF-8. Bytes that are not are refused here: the JDK's reader would also print
    // each such body to stderr ("[Fatal Error] … Invalid byte 1 of 1-byte UTF-8 sequence").
    try {
      java.nio.charset.StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(body));
    } catch (java.nio.charset.CharacterCodingException e) {
      throw WebhookRejected.badRequest("body is not UTF-8");
    }
    try {
      r = FACTORY.createXMLStreamReader(new ByteArrayInputStream(body));
      while (r.hasNext()) {
        int event = r.next();
        if (event == XMLStreamConstants.DTD) throw WebhookRejected.badRequest("XML with a DOCTYPE is not accepted");
        if (event == XMLStreamConstants.ENTITY_REFERENCE) throw WebhookRejected.badRequest("XML entity references are not accepted");
        if (event == XMLStreamConstants.START_ELEMENT) {
          String name = r.getLocalName();
          String parent = path.peek();
          if (parent == null && !name.equals("Envelope")) throw WebhookRejected.badRequest("not a SOAP envelope");
          if ("notifications".equals(parent) && name.equals("OrganizationId")) {
            org = text(r).trim();
          } else if ("notifications".equals(parent) && name.equals("ActionId")) {
            action = text(r).trim();
          } else if ("sObject".equals(parent)) {
            if (fields == null) throw WebhookRejected.badRequest("an sObject outside a Notification");
            boolean nil = "true".equals(r.getAttributeValue(XSI, "nil"));
            String value = text(r); // consumes the end tag either way
            fields.put(name, nil ? null : value);
          } else if ("Notification".equals(parent) && name.equals("Id")) {
            id = text(r).trim();
          } else {
            if (name.equals("notifications")) sawNotifications = true;
            if (name.equals("Notification")) {
              if (path.contains("Notification")) throw WebhookRejected.badRequest("a Notification inside a Notification");
              if (out.size() == MAX_NOTIFICATIONS) throw WebhookRejected.badRequest("more than " + MAX_NOTIFICATIONS + " notifications in one message");
              id = null;
              type = null;
              fields = new LinkedHashMap<>();
            }
            if (name.equals("sObject") && "Notification".equals(parent)) {
              String t = r.getAttributeValue(XSI, "type");
              type = t == null ? null : t.substring(t.indexOf(':') + 1);
            }
            path.push(name);
          }
        } else if (event == XMLStreamConstants.END_ELEMENT) {
          String name = path.pop();
          if (name.equals("Notification")) {
            if (id == null || id.isEmpty()) throw WebhookRejected.badRequest("notification " + out.size() + " has no Id");
            if (type == null || type.isEmpty()) throw WebhookRejected.badRequest("notification " + id + " has no sObject with an xsi:type");
            String recordId = fields.get("Id");
            if (recordId == null || recordId.isBlank()) throw WebhookRejected.badRequest("notification " + id + " has no sObject Id");
            out.add(new Notification(id, type, recordId, fields));
            fields = null; // an sObject after this Notification is outside one
          }
        }
      }
    } catch (XMLStreamException e) {
      String m = String.valueOf(e.getMessage());
      if (m.contains("DOCTYPE") || m.contains("DTD")) throw WebhookRejected.badRequest("XML with a DOCTYPE is not accepted");
      if (m.toLowerCase(java.util.Locale.ROOT).contains("entity")) throw WebhookRejected.badRequest("XML entity references are not accepted");
      throw WebhookRejected.badRequest("body is not well-formed XML");
    } finally {
      if (r != null) {
        try {
          r.close();
        } catch (XMLStreamException ignored) {
          // nothing to release beyond the byte array
        }
      }
    }
    if (!sawNotifications) throw WebhookRejected.badRequest("not a Salesforce outbound message (no notifications element)");
    if (org == null || org.isEmpty()) throw WebhookRejected.badRequest("outbound message has no OrganizationId");
    if (out.isEmpty()) throw WebhookRejected.badRequest("outbound message holds no notifications");
    return new Parsed(org, action, out);
  }

  /**
   * The text of the current element up to its end tag, refusing entity references (with entity
   * replacement off, the JDK reader would otherwise drop an undeclared one silently).
   */
  private static String text(XMLStreamReader r) throws XMLStreamException {
    StringBuilder out = new StringBuilder();
    while (true) {
      int event = r.next();
      switch (event) {
        case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> out.append(r.getText());
        case XMLStreamConstants.END_ELEMENT -> {
          return out.toString();
        }
        case XMLStreamConstants.ENTITY_REFERENCE -> throw WebhookRejected.badRequest("XML entity references are not accepted");
        case XMLStreamConstants.COMMENT, XMLStreamConstants.PROCESSING_INSTRUCTION -> { }
        default -> throw WebhookRejected.badRequest("unexpected markup inside a text element");
      }
    }
  }

  /** Whether the message's organization id is the configured one (15- and 18-character forms match). */
  static boolean sameOrganization(String configured, String received) {
    String a = configured.trim();
    String b = received.trim();
    if (a.length() != b.length() && a.length() >= 15 && b.length() >= 15) {
      a = a.substring(0, 15);
      b = b.substring(0, 15);
    }
    return ConstantTime.equal(a, b);
  }

  static List<NewEvent> events(Parsed p) {
    List<NewEvent> out = new ArrayList<>(p.notifications().size());
    for (Notification n : p.notifications()) {
      ObjectNode payload = InboundJson.MAPPER.createObjectNode();
      payload.put("notificationId", n.id()).put("sObjectType", n.sObjectType()).put("organizationId", p.organizationId());
      if (p.actionId() != null) payload.put("actionId", p.actionId());
      ObjectNode f = payload.putObject("fields");
      n.fields().forEach(f::put);
      out.add(new NewEvent(n.id(), n.sObjectType() + ".outboundMessage", n.sObjectType(), n.recordId(), null, null,
          lastModified(n.fields()), payload));
    }
    return out;
  }

  /** {@code LastModifiedDate} (else {@code SystemModstamp}) of a record's fields, when readable. */
  static Instant lastModified(Map<String, String> fields) {
    for (String name : List.of("LastModifiedDate", "SystemModstamp")) {
      String v = fields.get(name);
      if (v == null) continue;
      try {
        return java.time.OffsetDateTime.parse(v.replaceAll("([+-]\\d\\d)(\\d\\d)$", "$1:$2")).toInstant();
      } catch (DateTimeParseException e) {
        // not a timestamp this parser knows: leave occurred_at empty
      }
    }
    return null;
  }
}
