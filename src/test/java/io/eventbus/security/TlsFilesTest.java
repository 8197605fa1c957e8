package io.eventbus.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.InsecureServerCredentials;
import io.grpc.TlsServerCredentials;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** PEM files as openssl writes them, read into key and trust managers; unusable ones named in the error. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsFilesTest {

    private static final String CERT = "eventbus.tls.cert-file";
    private static final String KEY = "eventbus.tls.key-file";

    @TempDir
    static Path dir;

    private TestCa ca;
    private TestCa.Issued ecServer;
    private TestCa.Issued rsaServer;
    private Path ecCert;
    private Path rsaCert;
    private Path caFile;

    @BeforeAll
    void makeCertificates() throws Exception {
        ca = TestCa.create("tls-files-test-ca");
        ecServer = ca.server("EC");
        rsaServer = ca.server("RSA");
        ecCert = TestCa.writeCertificates(dir.resolve("ec.crt"), ecServer.certificate(), ca.certificate());
        rsaCert = TestCa.writeCertificates(dir.resolve("rsa.crt"), rsaServer.certificate());
        caFile = TestCa.writeCertificates(dir.resolve("ca.crt"), ca.certificate());
    }

    @Test
    void readsAChainInFileOrder() {
        assertThat(TlsFiles.certificates(CERT, ecCert)).containsExactly(ecServer.certificate(), ca.certificate());
    }

    @Test
    void readsPkcs8Pkcs1AndSec1Keys() throws Exception {
        PrivateKey pkcs8 = TlsFiles.privateKey(KEY, TestCa.writePkcs8(dir.resolve("pkcs8.key"), ecServer.keys().getPrivate()));
        PrivateKey pkcs1 = TlsFiles.privateKey(KEY, TestCa.writeTraditional(dir.resolve("pkcs1.key"), rsaServer.keys()));
        Path sec1File = TestCa.writeTraditional(dir.resolve("sec1.key"), ecServer.keys());
        assertThat(Files.readString(dir.resolve("pkcs8.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Files.readString(dir.resolve("pkcs1.key"))).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(Files.readString(sec1File)).startsWith("-----BEGIN EC PRIVATE KEY-----");
        // openssl ecparam -genkey writes the curve's parameters before the key
        Path withParameters = Files.writeString(dir.resolve("ecparam.key"), "-----BEGIN EC PARAMETERS-----\n"
                + "BggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n" + Files.readString(sec1File));

        assertThat(pkcs8.getEncoded()).isEqualTo(ecServer.keys().getPrivate().getEncoded());
        assertThat(pkcs1.getAlgorithm()).isEqualTo("RSA");
        assertThat(pkcs1.getEncoded()).isEqualTo(rsaServer.keys().getPrivate().getEncoded());
        assertThat(((ECPrivateKey) TlsFiles.privateKey(KEY, sec1File)).getS())
                .isEqualTo(((ECPrivateKey) ecServer.keys().getPrivate()).getS());
        assertThat(((ECPrivateKey) TlsFiles.privateKey(KEY, withParameters)).getS())
                .isEqualTo(((ECPrivateKey) ecServer.keys().getPrivate()).getS());
    }

    @Test
    void aCombinedFileGivesItsCertificatesAndItsKey() throws Exception {
        // as some tools write it: the key, then the chain, with openssl's text around the blocks
        Path key = TestCa.writeTraditional(dir.resolve("combined-key.pem"), ecServer.keys());
        Path combined = Files.writeString(dir.resolve("combined.pem"), Files.readString(key)
                + "Bag Attributes\n    friendlyName: server\nsubject=CN = localhost\n" + Files.readString(ecCert));
        assertThat(TlsFiles.certificates(CERT, combined)).containsExactly(ecServer.certificate(), ca.certificate());
        assertThat(TlsFiles.keyManagers(CERT, combined, KEY, combined).getKeyManagers()).isNotEmpty();
    }

    @Test
    void keyManagersPresentTheChainOfTheirKey() throws Exception {
        Path key = TestCa.writeTraditional(dir.resolve("rsa.key"), rsaServer.keys());
        X509KeyManager keys = (X509KeyManager) TlsFiles.keyManagers(CERT, rsaCert, KEY, key).getKeyManagers()[0];
        String alias = keys.chooseServerAlias("RSA", null, null);
        assertThat(alias).isNotNull();
        assertThat(keys.getCertificateChain(alias)).containsExactly(rsaServer.certificate());
        assertThat(keys.getPrivateKey(alias).getEncoded()).isEqualTo(rsaServer.keys().getPrivate().getEncoded());
    }

    @Test
    void trustManagersAcceptOnlyWhatTheCaSigned() throws Exception {
        X509TrustManager trust = (X509TrustManager) TlsFiles.trustManagers("eventbus.tls.client-ca-file", caFile)
                .getTrustManagers()[0];
        X509Certificate client = ca.client("a-client").certificate();
        X509Certificate stranger = TestCa.create("another-ca").client("a-stranger").certificate();

        assertThatCode(() -> trust.checkClientTrusted(new X509Certificate[] {client}, "EC")).doesNotThrowAnyException();
        assertThatThrownBy(() -> trust.checkClientTrusted(new X509Certificate[] {stranger}, "EC"))
                .isInstanceOf(CertificateException.class);
    }

    @Test
    void aMissingFileIsNamedWithItsSetting() {
        Path missing = dir.resolve("missing.pem");
        assertThatThrownBy(() -> TlsFiles.privateKey(KEY, missing))
                .isInstanceOf(TlsFiles.Unusable.class)
                .hasMessage("eventbus.tls.key-file=" + missing + ": no such file");
        assertThatThrownBy(() -> TlsFiles.certificates(CERT, dir))
                .hasMessage("eventbus.tls.cert-file=" + dir + ": a directory, not a file");
        assertThatThrownBy(() -> TlsFiles.certificates(CERT, null)).hasMessage("eventbus.tls.cert-file is not set");
    }

    @Test
    void aFileThatIsNotPemIsRefused() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.txt"), "not a certificate\n");
        assertThatThrownBy(() -> TlsFiles.certificates(CERT, text))
                .isInstanceOf(TlsFiles.Unusable.class)
                .hasMessageStartingWith("eventbus.tls.cert-file=" + text + ": ");
        assertThatThrownBy(() -> TlsFiles.privateKey(KEY, text))
                .hasMessageStartingWith("eventbus.tls.key-file=" + text + ": no PEM private key");
        // a key where the certificate should be, a certificate where the key should be
        Path key = TestCa.writePkcs8(dir.resolve("swapped.key"), ecServer.keys().getPrivate());
        assertThatThrownBy(() -> TlsFiles.certificates(CERT, key))
                .hasMessageStartingWith("eventbus.tls.cert-file=" + key + ": ");
        assertThatThrownBy(() -> TlsFiles.privateKey(KEY, ecCert))
                .hasMessageStartingWith("eventbus.tls.key-file=" + ecCert + ": no PEM private key");
        Path empty = Files.write(dir.resolve("empty.pem"), new byte[0]);
        assertThatThrownBy(() -> TlsFiles.certificates(CERT, empty))
                .hasMessageStartingWith("eventbus.tls.cert-file=" + empty + ": no PEM certificate");
        Path broken = Files.writeString(dir.resolve("broken.key"),
                "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n", StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> TlsFiles.privateKey(KEY, broken))
                .isInstanceOf(TlsFiles.Unusable.class)
                .hasMessageStartingWith("eventbus.tls.key-file=" + broken + ": ");
    }

    @Test
    void anEncryptedKeyIsRefusedWithWhatToDo() throws Exception {
        Path encrypted = TestCa.writeEncrypted(dir.resolve("encrypted.key"), ecServer.keys().getPrivate(), "secret");
        assertThat(Files.readString(encrypted)).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        assertThatThrownBy(() -> TlsFiles.privateKey(KEY, encrypted))
                .isInstanceOf(TlsFiles.Unusable.class)
                .hasMessageStartingWith("eventbus.tls.key-file=" + encrypted + ": the key is encrypted")
                .hasMessageContaining("openssl pkey");
    }

    @Test
    void theKeyOfAnotherCertificateIsRefused() throws Exception {
        Path otherKey = TestCa.writePkcs8(dir.resolve("other.key"), rsaServer.keys().getPrivate());
        assertThatThrownBy(() -> TlsFiles.keyManagers(CERT, ecCert, KEY, otherKey))
                .isInstanceOf(TlsFiles.Unusable.class)
                .hasMessageStartingWith("eventbus.tls.key-file=" + otherKey
                        + ": not the private key of the certificate in eventbus.tls.cert-file=" + ecCert);
    }

    @Test
    void serverSettingsMakeTlsOrPlaintext() throws Exception {
        String key = TestCa.writePkcs8(dir.resolve("server.key"), ecServer.keys().getPrivate()).toString();
        assertThat(ServerTls.of(false, "", "", "", "bogus", true).grpcCredentials())
                .isInstanceOf(InsecureServerCredentials.class);
        assertThat(ServerTls.of(false, "", "", "", "none", true).httpSslContextParameters()).isNull();

        ServerTls tls = ServerTls.of(true, ecCert.toString(), key, caFile.toString(), "require", true);
        assertThat(tls.grpcCredentials()).isInstanceOfSatisfying(TlsServerCredentials.class, credentials -> {
            assertThat(credentials.getClientAuth()).isEqualTo(TlsServerCredentials.ClientAuth.REQUIRE);
            assertThat(credentials.getKeyManagers()).isNotEmpty();
            assertThat(credentials.getTrustManagers()).isNotEmpty();
        });
        assertThat(tls.httpSslContextParameters()).isNotNull();
        assertThat(tls.httpSslContextParameters().getKeyManagers().getKeyStore().createKeyStore().isKeyEntry("event-bus"))
                .isTrue();
        assertThat(ServerTls.of(true, ecCert.toString(), key, "", " none ", false).httpSslContextParameters()).isNull();
    }

    @Test
    void unusableServerSettingsAreNamed() throws Exception {
        String key = TestCa.writePkcs8(dir.resolve("server2.key"), ecServer.keys().getPrivate()).toString();
        String cert = ecCert.toString();
        assertThatThrownBy(() -> ServerTls.of(true, "", key, "", "none", true))
                .hasMessage("eventbus.tls.cert-file is not set");
        assertThatThrownBy(() -> ServerTls.of(true, cert, key, caFile.toString(), "always", true))
                .hasMessage("eventbus.tls.client-auth=always: not one of none, optional, require");
        assertThatThrownBy(() -> ServerTls.of(true, cert, key, "", "require", true))
                .hasMessageStartingWith("eventbus.tls.client-auth=require needs eventbus.tls.client-ca-file");
        assertThatThrownBy(() -> ServerTls.of(true, cert, key, caFile.toString(), "none", true))
                .hasMessageStartingWith("eventbus.tls.client-ca-file is set but eventbus.tls.client-auth is none");
        assertThatThrownBy(() -> ServerTls.of(true, cert, key, dir.resolve("no-ca.pem").toString(), "optional", true))
                .hasMessage("eventbus.tls.client-ca-file=" + dir.resolve("no-ca.pem") + ": no such file");
    }
}
