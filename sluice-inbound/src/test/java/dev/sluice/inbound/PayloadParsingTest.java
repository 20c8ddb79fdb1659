package dev.sluice.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PayloadParsingTest {
  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static int status(Runnable r) {
    try {
      r.run();
    } catch (WebhookRejected e) {
      return e.status();
    }
    return 0;
  }

  @Test
  void hubspotEventsAreNormalized() {
    List<NewEvent> events = HubSpotEvents.parse(bytes("""
        [{"objectId":1246965,"propertyName":"lifecyclestage","propertyValue":"subscriber","changeSource":"CRM",
          "eventId":3816279340,"subscriptionId":25,"portalId":33,"appId":1160452,"occurredAt":1462216307945,
          "subscriptionType":"contact.propertyChange","attemptNumber":0},
         {"objectId":"88","eventId":"9","eventType":"company.creation","occurredAt":1462216307945}]"""));
    assertThat(events).hasSize(2);
    NewEvent e = events.get(0);
    assertThat(e.providerEventId()).isEqualTo("3816279340");
    assertThat(e.type()).isEqualTo("contact.propertyChange");
    assertThat(e.objectType()).isEqualTo("contacts");
    assertThat(e.objectId()).isEqualTo("1246965");
    assertThat(e.propertyName()).isEqualTo("lifecyclestage");
    assertThat(e.propertyValue()).isEqualTo("subscriber");
    assertThat(e.occurredAt()).isEqualTo(Instant.ofEpochMilli(1462216307945L));
    assertThat(events.get(1).type()).isEqualTo("company.creation");
    assertThat(events.get(1).objectType()).isEqualTo("companies");
  }

  @Test
  void eachHubspotEventKeepsItsOwnTextAsSent() {
    String first = "{\"eventId\": 1, \"subscriptionType\":\"contact.creation\", \"objectId\":12, \"note\":\"caf\u00e9 \\\" \\u00e9\", \"n\":1.50}";
    String second = "{\"eventId\":2,\"subscriptionType\":\"contact.creation\",\"objectId\":13,\"nested\":{\"a\":[1,{}]}}";
    List<NewEvent> events = HubSpotEvents.parse(bytes("[ " + first + " ,\n" + second + "]"));
    assertThat(events).extracting(NewEvent::payloadText).containsExactly(first, second);
    assertThat(events.get(0).payloadJson()).isEqualTo(first);
    assertThat(events.get(0).payload().get("note").asText()).isEqualTo("caf\u00e9 \" \u00e9");
  }

  @Test
  void aHubspotEventWithANulEscapeIsStoredFromItsCleanedTree() {
    NewEvent e = HubSpotEvents.parse(bytes("[{\"eventId\":1,\"subscriptionType\":\"contact.creation\",\"v\":\"a\\u0000b\"}]")).get(0);
    assertThat(e.payloadText()).isNull();
    assertThat(e.payload().get("v").asText()).isEqualTo("a" + StoredValues.REPLACEMENT + "b");
    assertThat(e.payloadJson()).doesNotContain("\\u0000");
  }

  @Test
  void aHubspotEventThatJsonbWouldRefuseAsWrittenIsStoredFromItsTree() {
    // a lone surrogate half (an emoji cut in half) and exponents beyond numeric's range: as text they
    // would fail the commit on every delivery
    for (String v : new String[] {"\"\\ud83d\"", "\"x\\uDC00\"", "1e999999", "1e-999999", "-2E+5000"}) {
      NewEvent e = HubSpotEvents.parse(bytes("[{\"eventId\":1,\"subscriptionType\":\"contact.creation\",\"v\":" + v + "}]")).get(0);
      assertThat(e.payloadText()).as(v).isNull();
    }
    // a paired surrogate escape's text is not kept either, but ordinary escapes and numbers are
    assertThat(HubSpotEvents.parse(bytes("[{\"eventId\":1,\"subscriptionType\":\"contact.creation\",\"v\":\"\\u00e9\",\"n\":1.5e3}]")).get(0).payloadText()).isNotNull();
  }

  @Test
  void badHubspotBodiesAre400() {
    assertThat(status(() -> HubSpotEvents.parse(bytes("{not json")))).isEqualTo(400);
    assertThat(status(() -> HubSpotEvents.parse(bytes("{\"eventId\":1}")))).isEqualTo(400);
    assertThat(status(() -> HubSpotEvents.parse(bytes("[]")))).isEqualTo(400);
    assertThat(status(() -> HubSpotEvents.parse(bytes("[{\"subscriptionType\":\"contact.creation\"}]")))).isEqualTo(400);
    assertThat(status(() -> HubSpotEvents.parse(bytes("[{\"eventId\":1}]")))).isEqualTo(400);
    StringBuilder many = new StringBuilder("[");
    for (int i = 0; i < 101; i++) many.append(i == 0 ? "" : ",").append("{\"eventId\":").append(i).append(",\"subscriptionType\":\"contact.creation\"}");
    assertThatThrownBy(() -> HubSpotEvents.parse(bytes(many + "]"))).hasMessageContaining("more than 100 events");
  }

  static String envelope(String notifications) {
    return "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>"
        + "<notifications xmlns=\"http://soap.sforce.com/2005/09/outbound\"><OrganizationId>00D000000000001AAA</OrganizationId><ActionId>04k000000000001AAA</ActionId>"
        + "<SessionId xsi:nil=\"true\"/><EnterpriseUrl>https://x</EnterpriseUrl><PartnerUrl>https://x</PartnerUrl>"
        + notifications + "</notifications></soapenv:Body></soapenv:Envelope>";
  }

  static String notification(int i) {
    return "<Notification><Id>04l00000000000" + i + "</Id><sObject xsi:type=\"sf:Contact\" xmlns:sf=\"urn:sobject.enterprise.soap.sforce.com\">"
        + "<sf:Id>003000000000" + i + "</sf:Id><sf:Email>a" + i + "@b.com</sf:Email><sf:Phone xsi:nil=\"true\"/>"
        + "<sf:LastName>O&apos;Brien &amp; Co</sf:LastName><sf:LastModifiedDate>2026-12-07T02:59:00.000Z</sf:LastModifiedDate></sObject></Notification>";
  }

  @Test
  void salesforceOutboundMessageIsParsed() {
    var parsed = SalesforceOutboundMessage.parse(bytes(envelope(notification(1) + notification(2))));
    assertThat(parsed.organizationId()).isEqualTo("00D000000000001AAA");
    assertThat(parsed.notifications()).hasSize(2);
    var n = parsed.notifications().get(0);
    assertThat(n.id()).isEqualTo("04l000000000001");
    assertThat(n.sObjectType()).isEqualTo("Contact");
    assertThat(n.recordId()).isEqualTo("0030000000001");
    assertThat(n.fields()).containsEntry("Email", "a1@b.com").containsEntry("Phone", null)
        .containsEntry("LastName", "O'Brien & Co");
    NewEvent e = SalesforceOutboundMessage.events(parsed).get(0);
    assertThat(e.type()).isEqualTo("Contact.outboundMessage");
    assertThat(e.occurredAt()).isEqualTo(Instant.parse("2026-12-07T02:59:00Z"));
    assertThat(SalesforceOutboundMessage.sameOrganization("00D000000000001", "00D000000000001AAA")).isTrue();
    assertThat(SalesforceOutboundMessage.sameOrganization("00D000000000002AAA", "00D000000000001AAA")).isFalse();
  }

  @Test
  void hostileOrBrokenXmlIs400() {
    String xxe = "<?xml version=\"1.0\"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
        + envelope(notification(1).replace("a1@b.com", "&xxe;"));
    assertThatThrownBy(() -> SalesforceOutboundMessage.parse(bytes(xxe))).hasMessageContaining("DOCTYPE");
    String laughs = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>"
        + envelope(notification(1).replace("a1@b.com", "&lol2;"));
    assertThatThrownBy(() -> SalesforceOutboundMessage.parse(bytes(laughs))).hasMessageContaining("DOCTYPE");
    assertThat(status(() -> SalesforceOutboundMessage.parse(bytes(envelope(notification(1).replace("a1@b.com", "&undeclared;")))))).isEqualTo(400);
    assertThat(status(() -> SalesforceOutboundMessage.parse(bytes("<soapenv:Envelope")))).isEqualTo(400);
    assertThat(status(() -> SalesforceOutboundMessage.parse(bytes("{\"json\":true}")))).isEqualTo(400);
    assertThat(status(() -> SalesforceOutboundMessage.parse(bytes(envelope(""))))).isEqualTo(400);
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 101; i++) many.append(notification(i));
    assertThatThrownBy(() -> SalesforceOutboundMessage.parse(bytes(envelope(many.toString())))).hasMessageContaining("more than 100");
    // found by fuzzing: a Notification inside a Notification (the inner one's end closed the outer one's fields)
    String nested = notification(1).replace("</sObject></Notification>", "</sObject>" + notification(2) + "</Notification>");
    assertThatThrownBy(() -> SalesforceOutboundMessage.parse(bytes(envelope(nested)))).hasMessageContaining("a Notification inside a Notification");
  }

  @Test
  void mailchimpFormNestsBracketedKeysAndHashesItsContent() {
    String body = "type=profile&fired_at=2009-03-26+21%3A35%3A57&data[id]=8a25ff1d98&data[list_id]=a6b5da1054"
        + "&data[email]=a@b.com&data[merges][EMAIL]=a@b.com&data[merges][FNAME]=Ada&data[merges][ADDRESS][city]=Paris";
    ObjectNode form = MailchimpForm.parse(bytes(body));
    assertThat(form.at("/data/merges/FNAME").asText()).isEqualTo("Ada");
    assertThat(form.at("/data/merges/ADDRESS/city").asText()).isEqualTo("Paris");
    NewEvent e = MailchimpForm.event(form);
    assertThat(e.type()).isEqualTo("profile");
    assertThat(e.objectId()).isEqualTo("8a25ff1d98");
    assertThat(e.occurredAt()).isEqualTo(Instant.parse("2009-03-26T21:35:57Z"));
    // the same content in another field order is the same event; other content is another
    String reordered = "fired_at=2009-03-26+21%3A35%3A57&type=profile&data[merges][FNAME]=Ada&data[merges][ADDRESS][city]=Paris"
        + "&data[email]=a@b.com&data[merges][EMAIL]=a@b.com&data[list_id]=a6b5da1054&data[id]=8a25ff1d98";
    assertThat(MailchimpForm.event(MailchimpForm.parse(bytes(reordered))).providerEventId()).isEqualTo(e.providerEventId());
    assertThat(MailchimpForm.event(MailchimpForm.parse(bytes(body.replace("Ada", "Ed")))).providerEventId())
        .isNotEqualTo(e.providerEventId());
  }

  @Test
  void badMailchimpFormsAre400() {
    assertThat(status(() -> MailchimpForm.parse(bytes("")))).isEqualTo(400);
    assertThat(status(() -> MailchimpForm.parse(bytes("fired_at=x&data[id]=1")))).isEqualTo(400);
    assertThat(status(() -> MailchimpForm.parse(bytes("type=subscribe&fired_at=x&data[id]=%zz")))).isEqualTo(400);
    assertThat(status(() -> MailchimpForm.parse(bytes("type=subscribe&fired_at=x&data=1&data[id]=2")))).isEqualTo(400);
    assertThat(status(() -> MailchimpForm.parse(bytes("type=subscribe&fired_at=x&da ta]=1")))).isEqualTo(400);
  }

  @Test
  void mirrorTargetsOfHubSpotEvents() {
    var d = new Delivery(WebhookSender.HUBSPOT, "hs", Instant.EPOCH, "{}", new byte[0], "v3", List.of());
    List<NewEvent> events = HubSpotEvents.parse(bytes("""
        [{"eventId":1,"subscriptionType":"contact.merge","objectId":5,"primaryObjectId":5,"mergedObjectIds":[6,7],"newObjectId":5},
         {"eventId":2,"subscriptionType":"contact.associationChange","objectId":5,"fromObjectId":5,"toObjectId":9,"associationType":"CONTACT_TO_COMPANY"},
         {"eventId":3,"subscriptionType":"contact.privacyDeletion","objectId":5}]"""));
    assertThat(MirrorNotes.targets(d, events.get(0))).extracting(MirrorNotes.Target::objectId).containsExactly("5", "6", "7");
    assertThat(MirrorNotes.targets(d, events.get(1))).containsExactly(
        new MirrorNotes.Target("hs", "contacts", "5"), new MirrorNotes.Target("hs", "companies", "9"));
    assertThat(MirrorNotes.targets(d, events.get(2))).isEmpty();
  }
}
