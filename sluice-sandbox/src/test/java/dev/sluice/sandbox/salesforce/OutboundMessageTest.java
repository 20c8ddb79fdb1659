package dev.sluice.sandbox.salesforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.sluice.sandbox.ManualClock;
import dev.sluice.sandbox.Sandbox;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** Outbound Messages reach a real listener (JDK HttpServer), are retried until acked, and keep their ids. */
class OutboundMessageTest {
  private static final String ACK = "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body>"
      + "<notificationsResponse xmlns=\"http://soap.sforce.com/2005/09/outbound\"><Ack>true</Ack></notificationsResponse>"
      + "</soapenv:Body></soapenv:Envelope>";
  private static final String SOAP = "http://schemas.xmlsoap.org/soap/envelope/";
  private static final String OM = "http://soap.sforce.com/2005/09/outbound";
  private static final String SF = "urn:sobject.enterprise.soap.sforce.com";
  private static final String XSI = "http://www.w3.org/2001/XMLSchema-instance";

  private final ConcurrentLinkedQueue<String> bodies = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<String> contentTypes = new ConcurrentLinkedQueue<>();
  private final AtomicInteger refuseFirst = new AtomicInteger();
  private HttpServer listener;
  private Sandbox server;
  private SalesforceSandbox sandbox;

  @BeforeEach
  void startListener() throws Exception {
    listener = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    listener.createContext("/om", exchange -> {
      bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
      boolean refuse = refuseFirst.getAndDecrement() > 0;
      byte[] answer = (refuse ? "<busy/>" : ACK).getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/xml");
      exchange.sendResponseHeaders(refuse ? 503 : 200, answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    listener.start();
  }

  private void startSandbox(int contacts) {
    URI url = URI.create("http://127.0.0.1:" + listener.getAddress().getPort() + "/om");
    sandbox = new SalesforceSandbox(SalesforceOptions.builder().counts(1, contacts, 0, 0)
        .clock(new ManualClock(Instant.parse("2026-03-26T21:35:57Z")))
        .outboundMessageUrl(url).timeScale(0.0001).build()); // 15 s first retry → 1.5 ms
    server = Sandbox.builder().platform(sandbox).start();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    listener.stop(0);
  }

  @Test
  void adminEditSendsTheDocumentedEnvelopeAndRetriesUntilAcked() throws Exception {
    refuseFirst.set(2);
    startSandbox(3);
    SObjectRecord contact = sandbox.records("Contact").get(1);
    HttpResponse<String> edit = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(server.adminUrl() + "/salesforce/records/Contact/" + contact.id()))
        .header("Content-Type", "application/json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"Email\":\"new.address@example.com\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(edit.statusCode()).as(edit.body()).isEqualTo(200);

    await().atMost(Duration.ofSeconds(10)).until(() -> sandbox.acknowledgedNotificationIds().size() == 1);
    assertThat(bodies).hasSize(3); // two refused, the third acked
    assertThat(sandbox.outboundFailedPosts()).isEqualTo(2);
    assertThat(sandbox.pendingNotifications()).isZero();
    assertThat(contentTypes).allMatch(t -> t.startsWith("text/xml"));

    List<String> ids = new ArrayList<>();
    for (String body : bodies) {
      assertThat(body).startsWith("<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
          + "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>\n"
          + "<notifications xmlns=\"http://soap.sforce.com/2005/09/outbound\"><OrganizationId>"
          + sandbox.options().organizationId() + "</OrganizationId><ActionId>04k");
      assertThat(body).endsWith("</notifications></soapenv:Body></soapenv:Envelope>");
      Document doc = parse(body);
      Element notifications = (Element) doc.getElementsByTagNameNS(OM, "notifications").item(0);
      assertThat(doc.getDocumentElement().getNamespaceURI()).isEqualTo(SOAP);
      assertThat(text(notifications, OM, "OrganizationId")).isEqualTo(sandbox.options().organizationId());
      Element session = (Element) notifications.getElementsByTagNameNS(OM, "SessionId").item(0);
      assertThat(session.getAttributeNS(XSI, "nil")).isEqualTo("true");
      assertThat(text(notifications, OM, "EnterpriseUrl")).startsWith("http://127.0.0.1:");
      assertThat(text(notifications, OM, "PartnerUrl")).contains("/services/Soap/u/65.0/");
      Element notification = (Element) notifications.getElementsByTagNameNS(OM, "Notification").item(0);
      ids.add(text(notification, OM, "Id"));
      Element sObject = (Element) notification.getElementsByTagNameNS(OM, "sObject").item(0);
      assertThat(sObject.getAttributeNS(XSI, "type")).isEqualTo("sf:Contact");
      assertThat(text(sObject, SF, "Id")).isEqualTo(contact.id());
      assertThat(text(sObject, SF, "Email")).isEqualTo("new.address@example.com");
    }
    assertThat(ids).hasSize(3).allMatch(id -> id.startsWith("04l") && id.length() == 18);
    assertThat(ids.stream().distinct()).hasSize(1); // retries keep the notification id
    assertThat(sandbox.acknowledgedNotificationIds()).containsExactly(ids.get(0));

    // A second change is a new notification with a new id.
    sandbox.updateRecord("Contact", contact.id(), Map.of("Title", "CFO"));
    await().atMost(Duration.ofSeconds(10)).until(() -> sandbox.acknowledgedNotificationIds().size() == 2);
    assertThat(sandbox.acknowledgedNotificationIds()).doesNotHaveDuplicates();
  }

  @Test
  void manyChangesGoOutAtMostOneHundredPerMessage() throws Exception {
    startSandbox(0);
    List<Map<String, Object>> records = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      records.add(Map.of("attributes", Map.of("type", "Contact"), "LastName", "L" + i));
    }
    for (int from = 0; from < 150; from += 75) {
      String body = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(
          Map.of("allOrNone", false, "records", records.subList(from, from + 75)));
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create(server.baseUrl() + SalesforceSandbox.API_PREFIX + "/composite/sobjects"))
          .header("Authorization", "Bearer " + SalesforceOptions.DEFAULT_ACCESS_TOKEN)
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> sandbox.acknowledgedNotificationIds().size() == 150);
    Pattern notification = Pattern.compile("<Notification>");
    for (String body : bodies) {
      Matcher m = notification.matcher(body);
      int n = 0;
      while (m.find()) {
        n++;
      }
      assertThat(n).isBetween(1, 100);
    }
  }

  private static Document parse(String xml) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
  }

  private static String text(Element parent, String ns, String local) {
    return parent.getElementsByTagNameNS(ns, local).item(0).getTextContent();
  }
}
