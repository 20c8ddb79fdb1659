package dev.sluice.server.http;

import dev.sluice.server.config.ConfigException;
import dev.sluice.server.config.SluiceConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The HTTPS connector of {@code server.tls}: a PEM certificate chain (leaf first, as issuers hand
 * it out) and an unencrypted PKCS#8 PEM private key (RSA, EC or Ed25519). Read once at start.
 */
final class TlsConnector {
  private static final Pattern PKCS8 = Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
  private static final char[] IN_MEMORY = "sluice".toCharArray();

  private TlsConnector() {}

  static Connector create(Server server, HttpConfiguration http, String host, int port, SluiceConfig.Tls tls) {
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setKeyStore(keyStore(tls));
    ssl.setKeyStorePassword(new String(IN_MEMORY));
    HttpConfiguration https = new HttpConfiguration(http);
    // Clients reach the API by IP as often as by name: no SNI host check against the certificate.
    https.addCustomizer(new SecureRequestCustomizer(false));
    ServerConnector connector = new ServerConnector(server,
        new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()), new HttpConnectionFactory(https));
    connector.setHost(host);
    connector.setPort(port);
    connector.setAcceptQueueSize(ApiServer.ACCEPT_QUEUE);
    return connector;
  }

  static KeyStore keyStore(SluiceConfig.Tls tls) {
    List<? extends Certificate> chain;
    try {
      chain = List.copyOf(CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(tls.certificate()))));
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException("server.tls.certificate", "cannot read a PEM certificate chain from " + tls.certificate() + ": " + e.getMessage());
    }
    if (chain.isEmpty()) throw new ConfigException("server.tls.certificate", tls.certificate() + " holds no certificate");
    PrivateKey key = privateKey(tls);
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("sluice", key, IN_MEMORY, chain.toArray(Certificate[]::new));
      return ks;
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException("server.tls", "the key does not go with the certificate: " + e.getMessage());
    }
  }

  private static PrivateKey privateKey(SluiceConfig.Tls tls) {
    String pem;
    try {
      pem = Files.readString(tls.key(), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new ConfigException("server.tls.key", "cannot read " + tls.key() + ": " + e.getMessage());
    }
    Matcher m = PKCS8.matcher(pem);
    if (!m.find()) {
      String hint = pem.contains("ENCRYPTED PRIVATE KEY") ? "the key is encrypted; Sluice needs it unencrypted (keep the file mode 0600)"
          : "expected an unencrypted PKCS#8 key ('BEGIN PRIVATE KEY')";
      throw new ConfigException("server.tls.key", hint + "; convert with: openssl pkcs8 -topk8 -nocrypt -in "
          + tls.key() + " -out key-pkcs8.pem");
    }
    byte[] der = Base64.getMimeDecoder().decode(m.group(1));
    for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new ConfigException("server.tls.key", tls.key() + " is not an RSA, EC or Ed25519 private key");
  }
}
