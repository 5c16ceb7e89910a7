import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.Base64;

import org.springframework.core.io.FileSystemResource;
import org.springframework.security.crypto.encrypt.Encryptors;
import org.springframework.security.crypto.encrypt.TextEncryptor;

/**
 * Runs Spring's own encryptors for the Stratus cross-implementation vectors.
 *
 * Reads requests from stdin, one a line: id, op, then arguments, tab-separated, every argument
 * base64 (UTF-8). Writes one line per request: id TAB OK TAB base64(result), or id TAB ERR TAB
 * the exception class. Ops:
 *   sym-enc key salt plain | sym-dec key salt cipher
 *   rsa-enc impl pem algorithm salt strong plain | rsa-dec impl pem algorithm salt strong cipher
 *   rsa-pub impl pem
 *   ks-dec impl path storePassword alias keyPassword algorithm salt strong cipher
 *   ks-enc impl path storePassword alias keyPassword algorithm salt strong plain
 *   kst-dec impl path type storePassword alias keyPassword algorithm salt strong cipher
 *   kst-enc impl path type storePassword alias keyPassword algorithm salt strong plain
 *     (ks-* read a PKCS#12 store; kst-* name the store type: jks, jceks or pkcs12)
 * impl is "crypto" (spring-security-crypto 6.x, org.springframework.security.crypto.encrypt) or
 * "rsa" (spring-security-rsa 1.1.x, org.springframework.security.rsa.crypto).
 */
public final class SpringCryptoVectors {
  private SpringCryptoVectors() {}

  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    StringBuilder out = new StringBuilder();
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (line.isEmpty()) continue;
      String[] parts = line.split("\t", -1);
      String[] a = new String[parts.length - 2];
      for (int i = 0; i < a.length; i++) a[i] = decode(parts[i + 2]);
      try {
        String result = encode(run(parts[1], a));
        out.append(parts[0]).append("\tOK\t").append(result).append('\n');
      } catch (Exception e) {
        Throwable root = e;
        while (root.getCause() != null) root = root.getCause();
        String why = (e.getClass().getName() + ": " + root).replaceAll("[\\t\\r\\n]", " ");
        out.append(parts[0]).append("\tERR\t").append(why).append('\n');
      }
    }
    System.out.print(out);
    System.out.flush();
  }

  private static String run(String op, String[] a) throws Exception {
    switch (op) {
      case "sym-enc": return Encryptors.text(a[0], a[1]).encrypt(a[2]);
      case "sym-dec": return Encryptors.text(a[0], a[1]).decrypt(a[2]);
      case "rsa-enc": return rsa(a[0], a[1], a[2], a[3], a[4]).encrypt(a[5]);
      case "rsa-dec": return rsa(a[0], a[1], a[2], a[3], a[4]).decrypt(a[5]);
      case "rsa-pub": return publicKey(a[0], a[1]);
      case "ks-enc": return keystore(a).encrypt(a[8]);
      case "ks-dec": return keystore(a).decrypt(a[8]);
      case "kst-enc": return typedKeystore(a).encrypt(a[9]);
      case "kst-dec": return typedKeystore(a).decrypt(a[9]);
      default: throw new IllegalArgumentException(op);
    }
  }

  private static TextEncryptor rsa(String impl, String pem, String algorithm, String salt, String strong) {
    boolean isStrong = Boolean.parseBoolean(strong);
    if (impl.equals("rsa")) {
      KeyPair pair = parseKeyPair("org.springframework.security.rsa.crypto.RsaKeyHelper", pem);
      return new org.springframework.security.rsa.crypto.RsaSecretEncryptor(pair,
          org.springframework.security.rsa.crypto.RsaAlgorithm.valueOf(algorithm), salt, isStrong);
    }
    KeyPair pair = parseKeyPair("org.springframework.security.crypto.encrypt.RsaKeyHelper", pem);
    return new org.springframework.security.crypto.encrypt.RsaSecretEncryptor(pair,
        org.springframework.security.crypto.encrypt.RsaAlgorithm.valueOf(algorithm), salt, isStrong);
  }

  private static String publicKey(String impl, String pem) {
    if (impl.equals("rsa")) {
      return new org.springframework.security.rsa.crypto.RsaSecretEncryptor(pem).getPublicKey();
    }
    return new org.springframework.security.crypto.encrypt.RsaSecretEncryptor(pem).getPublicKey();
  }

  /** Spring's own PEM parser (package-private RsaKeyHelper), so the vectors cover its parsing too. */
  private static KeyPair parseKeyPair(String helperClass, String pem) {
    try {
      java.lang.reflect.Method parse = Class.forName(helperClass).getDeclaredMethod("parseKeyPair", String.class);
      parse.setAccessible(true);
      return (KeyPair) parse.invoke(null, pem);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static TextEncryptor keystore(String[] a) {
    FileSystemResource resource = new FileSystemResource(new File(a[1]));
    boolean isStrong = Boolean.parseBoolean(a[7]);
    if (a[0].equals("rsa")) {
      KeyPair pair = new org.springframework.security.rsa.crypto.KeyStoreKeyFactory(resource, a[2].toCharArray(), "pkcs12")
          .getKeyPair(a[3], a[4].toCharArray());
      return new org.springframework.security.rsa.crypto.RsaSecretEncryptor(pair,
          org.springframework.security.rsa.crypto.RsaAlgorithm.valueOf(a[5]), a[6], isStrong);
    }
    KeyPair pair = new org.springframework.security.crypto.encrypt.KeyStoreKeyFactory(resource, a[2].toCharArray(), "pkcs12")
        .getKeyPair(a[3], a[4].toCharArray());
    return new org.springframework.security.crypto.encrypt.RsaSecretEncryptor(pair,
        org.springframework.security.crypto.encrypt.RsaAlgorithm.valueOf(a[5]), a[6], isStrong);
  }

  /** As keystore(a), with the store type (a[2]) given as Spring's encrypt.key-store.type is. */
  private static TextEncryptor typedKeystore(String[] a) {
    FileSystemResource resource = new FileSystemResource(new File(a[1]));
    boolean isStrong = Boolean.parseBoolean(a[8]);
    if (a[0].equals("rsa")) {
      KeyPair pair = new org.springframework.security.rsa.crypto.KeyStoreKeyFactory(resource, a[3].toCharArray(), a[2])
          .getKeyPair(a[4], a[5].toCharArray());
      return new org.springframework.security.rsa.crypto.RsaSecretEncryptor(pair,
          org.springframework.security.rsa.crypto.RsaAlgorithm.valueOf(a[6]), a[7], isStrong);
    }
    KeyPair pair = new org.springframework.security.crypto.encrypt.KeyStoreKeyFactory(resource, a[3].toCharArray(), a[2])
        .getKeyPair(a[4], a[5].toCharArray());
    return new org.springframework.security.crypto.encrypt.RsaSecretEncryptor(pair,
        org.springframework.security.crypto.encrypt.RsaAlgorithm.valueOf(a[6]), a[7], isStrong);
  }

  private static String decode(String b64) {
    return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
  }

  private static String encode(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
