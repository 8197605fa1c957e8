package io.eventbus.security;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * TLS material from PEM files, as the bus and its command-line clients take it: certificates
 * (a chain, or the CAs to trust) and a private key (PKCS#8, PKCS#1 RSA or SEC1 EC; an encrypted
 * key is refused), read with Bouncy Castle's PEM parser; one file may hold both. Every failure
 * is an {@link Unusable} whose message names the setting and the file, e.g.
 * {@code eventbus.tls.key-file=/etc/bus/key.pem: no such file}.
 */
public final class TlsFiles {

    private TlsFiles() {
    }

    /** A TLS file that cannot be used, and why, in words an operator can act on. */
    public static final class Unusable extends RuntimeException {
        public Unusable(String setting, Path file, String problem) {
            super(setting + "=" + file + ": " + problem, null, false, false);
        }

        public Unusable(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The certificates of a PEM file, in file order (a chain: this node's first); at least one.
     * Other blocks (a key in a combined file) and text around the blocks are passed over.
     */
    public static List<X509Certificate> certificates(String setting, Path file) {
        byte[] pem = read(setting, file);
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (PEMParser parser = parser(pem)) {
            for (Object block = parser.readObject(); block != null; block = parser.readObject()) {
                if (block instanceof X509CertificateHolder certificate) {
                    certificates.add(converter.getCertificate(certificate));
                }
            }
        } catch (IOException | CertificateException e) {
            throw new Unusable(setting, file, "not PEM certificates (" + e.getMessage() + ")");
        }
        if (certificates.isEmpty()) {
            throw new Unusable(setting, file, "no PEM certificate (-----BEGIN CERTIFICATE-----) in it");
        }
        return certificates;
    }

    /**
     * The first private key of a PEM file; other blocks (EC PARAMETERS before a SEC1 key, the
     * certificate in a combined file) are passed over.
     */
    public static PrivateKey privateKey(String setting, Path file) {
        byte[] pem = read(setting, file);
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (PEMParser parser = parser(pem)) {
            for (Object block = parser.readObject(); block != null; block = parser.readObject()) {
                if (block instanceof PrivateKeyInfo pkcs8) {
                    return converter.getPrivateKey(pkcs8);
                }
                if (block instanceof PEMKeyPair pair) {
                    // PKCS#1 or SEC1 (whose public key is optional: only the private part is needed)
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
                if (block instanceof PKCS8EncryptedPrivateKeyInfo || block instanceof PEMEncryptedKeyPair) {
                    throw new Unusable(setting, file, "the key is encrypted, which is not supported: store it "
                            + "unencrypted, readable by the bus only (openssl pkey -in " + file + " -out key.pem)");
                }
            }
        } catch (PEMException e) {
            throw new Unusable(setting, file, "not a usable PEM private key (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new Unusable(setting, file, "not PEM (" + e.getMessage() + ")");
        }
        throw new Unusable(setting, file, "no PEM private key (-----BEGIN PRIVATE KEY----- or "
                + "-----BEGIN RSA/EC PRIVATE KEY-----) in it");
    }

    /**
     * Key managers presenting this certificate chain and its key; refuses a key that is not the
     * certificate's (a handshake would fail later, with a less helpful message).
     */
    public static KeyManagerFactory keyManagers(String certSetting, Path certFile, String keySetting, Path keyFile) {
        char[] password = password();
        return keyManagers(keyStore(certSetting, certFile, keySetting, keyFile, password), password);
    }

    /** Key managers presenting the key of an in-memory key store made by {@link #keyStore}. */
    public static KeyManagerFactory keyManagers(KeyStore store, char[] password) {
        try {
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, password);
            return factory;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make key managers of an in-memory key store", e);
        }
    }

    /**
     * An in-memory PKCS12 key store holding the chain of {@code certFile} and the key of
     * {@code keyFile} under alias {@code event-bus}, protected by {@code password}; refuses a key
     * that is not the certificate's.
     */
    public static KeyStore keyStore(String certSetting, Path certFile, String keySetting, Path keyFile,
                                    char[] password) {
        List<X509Certificate> chain = certificates(certSetting, certFile);
        PrivateKey key = privateKey(keySetting, keyFile);
        requireKeyOf(chain.get(0), key, certSetting, certFile, keySetting, keyFile);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("event-bus", key, password, chain.toArray(Certificate[]::new));
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new Unusable(keySetting, keyFile, "cannot be stored with " + certFile + " (" + e.getMessage() + ")");
        }
    }

    /** Trust managers that accept the certificates signed by the CAs of this file (and nothing else). */
    public static TrustManagerFactory trustManagers(String setting, Path file) {
        List<X509Certificate> authorities = certificates(setting, file);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < authorities.size(); i++) {
                store.setCertificateEntry("ca-" + i, authorities.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory;
        } catch (GeneralSecurityException | IOException e) {
            throw new Unusable(setting, file, "cannot be trusted as CA certificates (" + e.getMessage() + ")");
        }
    }

    /** A random password for an in-memory key store (hex: safe in Camel's property placeholders). */
    public static char[] password() {
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random).toCharArray();
    }

    private static PEMParser parser(byte[] pem) {
        return new PEMParser(new StringReader(new String(pem, StandardCharsets.US_ASCII)));
    }

    private static byte[] read(String setting, Path file) {
        if (file == null || file.toString().isBlank()) {
            throw new Unusable(setting + " is not set");
        }
        try {
            if (Files.isDirectory(file)) {
                throw new Unusable(setting, file, "a directory, not a file");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new Unusable(setting, file, "no such file");
        } catch (AccessDeniedException e) {
            throw new Unusable(setting, file, "not readable (permission denied)");
        } catch (IOException e) {
            throw new Unusable(setting, file, "cannot be read (" + e.getMessage() + ")");
        }
    }

    /** Signs a few bytes with the key and checks the signature with the certificate's public key. */
    private static void requireKeyOf(X509Certificate certificate, PrivateKey key, String certSetting, Path certFile,
                                     String keySetting, Path keyFile) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> null; // another kind of key: the handshake will tell
        };
        if (algorithm == null) {
            return;
        }
        boolean matches;
        try {
            byte[] probe = "event-bus".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false;
        }
        if (!matches) {
            throw new Unusable(keySetting, keyFile, "not the private key of the certificate in " + certSetting
                    + "=" + certFile + " (" + certificate.getSubjectX500Principal().getName() + ")");
        }
    }
}
