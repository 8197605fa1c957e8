package io.eventbus.security;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * A throwaway certificate authority for tests: a self-signed CA, and certificates it signs for a
 * server (localhost, 127.0.0.1) or a client, written as PEM files the way openssl writes them.
 */
public final class TestCa {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A certificate and its key pair. */
    public record Issued(X509Certificate certificate, KeyPair keys) {
    }

    private final Issued ca;

    private TestCa(Issued ca) {
        this.ca = ca;
    }

    /** A new CA with an EC P-256 key, valid for a day. */
    public static TestCa create(String name) throws Exception {
        KeyPair keys = keyPair("EC");
        X500Name subject = new X500Name("CN=" + name);
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        X509v3CertificateBuilder builder = builder(subject, subject, keys)
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
        return new TestCa(new Issued(sign(builder, keys.getPrivate()), keys));
    }

    public X509Certificate certificate() {
        return ca.certificate();
    }

    /** A server certificate for localhost and 127.0.0.1 with a key of this algorithm (EC or RSA). */
    public Issued server(String keyAlgorithm) throws Exception {
        return issue("localhost", keyAlgorithm, KeyPurposeId.id_kp_serverAuth,
                new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.dNSName, "localhost"),
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
    }

    /** A client certificate. */
    public Issued client(String name) throws Exception {
        return issue(name, "EC", KeyPurposeId.id_kp_clientAuth, null);
    }

    private Issued issue(String name, String keyAlgorithm, KeyPurposeId purpose, GeneralNames names) throws Exception {
        KeyPair keys = keyPair(keyAlgorithm);
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        X509v3CertificateBuilder builder = builder(X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded()),
                new X500Name("CN=" + name), keys)
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
                .addExtension(Extension.authorityKeyIdentifier, false,
                        utils.createAuthorityKeyIdentifier(ca.certificate()));
        if (names != null) {
            builder.addExtension(Extension.subjectAlternativeName, false, names);
        }
        return new Issued(sign(builder, ca.keys().getPrivate()), keys);
    }

    /** PEM certificates (BEGIN CERTIFICATE), one after the other. */
    public static Path writeCertificates(Path file, X509Certificate... certificates) throws IOException {
        return write(file, certificates);
    }

    /** The key as PKCS#8 (BEGIN PRIVATE KEY), as openssl genpkey writes it. */
    public static Path writePkcs8(Path file, PrivateKey key) throws IOException {
        return write(file, new JcaPKCS8Generator(key, null));
    }

    /**
     * The key in the traditional form: PKCS#1 (BEGIN RSA PRIVATE KEY) or SEC1 (BEGIN EC PRIVATE KEY,
     * with its curve and public key, as openssl writes it).
     */
    public static Path writeTraditional(Path file, KeyPair keys) throws IOException {
        if (keys.getPrivate() instanceof ECPrivateKey ec) {
            PrivateKeyInfo info = PrivateKeyInfo.getInstance(ec.getEncoded());
            org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(
                    ec.getParams().getOrder().bitLength(), ec.getS(),
                    SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded()).getPublicKeyData(),
                    info.getPrivateKeyAlgorithm().getParameters());
            return write(file, new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
        }
        return write(file, keys.getPrivate());
    }

    /** The key as encrypted PKCS#8 (BEGIN ENCRYPTED PRIVATE KEY). */
    public static Path writeEncrypted(Path file, PrivateKey key, String password) throws Exception {
        return write(file, new JcaPKCS8Generator(key, new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                .setProvider(new BouncyCastleProvider()).setPassword(password.toCharArray()).build()));
    }

    private static Path write(Path file, Object... objects) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (Writer out = Files.newBufferedWriter(file); JcaPEMWriter pem = new JcaPEMWriter(out)) {
            for (Object object : objects) {
                pem.writeObject(object);
            }
        }
        return file;
    }

    private static KeyPair keyPair(String algorithm) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        if (algorithm.equals("EC")) {
            generator.initialize(new ECGenParameterSpec("secp256r1"));
        } else {
            generator.initialize(2048);
        }
        return generator.generateKeyPair();
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject, keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(builder.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    }
}
