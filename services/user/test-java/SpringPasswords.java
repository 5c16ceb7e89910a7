import java.nio.charset.StandardCharsets;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.DelegatingPasswordEncoder;
import org.springframework.security.crypto.password.NoOpPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.crypto.password.Pbkdf2PasswordEncoder;
import org.springframework.security.crypto.password.StandardPasswordEncoder;
import org.springframework.security.crypto.scrypt.SCryptPasswordEncoder;

/**
 * Spring Security's password encoders, driven over stdin for services/user/src/passwords-spring.test.ts.
 *
 * <p>Each input line is {@code id<TAB>op<TAB>encoder<TAB>base64(arg)...}; each output line is
 * {@code id<TAB>OK<TAB>base64(result)} or {@code id<TAB>ERR<TAB>exception}. Operations:
 * {@code encode <encoder> <password>}, {@code matches <encoder> <password> <stored>} and
 * {@code upgrade <encoder> <stored>} (answers "true" or "false").
 *
 * <p>Encoders: {@code factory} is {@code PasswordEncoderFactories.createDelegatingPasswordEncoder()};
 * {@code bcrypt}, {@code bcrypt-2b}, {@code bcrypt-2y} are bare {@code BCryptPasswordEncoder}s;
 * {@code argon2-v5_8} is a bare {@code Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8()};
 * {@code prefer-argon2} is a {@code DelegatingPasswordEncoder} that encodes with
 * {@code argon2@SpringSecurity_v5_8}; any other name is a delegating encoder id
 * ({@code pbkdf2@SpringSecurity_v5_8}, {@code scrypt}, {@code noop}, ...) that encodes with it.
 */
public final class SpringPasswords {

  private SpringPasswords() {}

  @SuppressWarnings("deprecation")
  private static PasswordEncoder byId(String id) {
    return switch (id) {
      case "bcrypt" -> new BCryptPasswordEncoder();
      case "argon2" -> Argon2PasswordEncoder.defaultsForSpringSecurity_v5_2();
      case "argon2@SpringSecurity_v5_8" -> Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8();
      case "pbkdf2" -> Pbkdf2PasswordEncoder.defaultsForSpringSecurity_v5_5();
      case "pbkdf2@SpringSecurity_v5_8" -> Pbkdf2PasswordEncoder.defaultsForSpringSecurity_v5_8();
      case "scrypt" -> SCryptPasswordEncoder.defaultsForSpringSecurity_v4_1();
      case "scrypt@SpringSecurity_v5_8" -> SCryptPasswordEncoder.defaultsForSpringSecurity_v5_8();
      case "noop" -> NoOpPasswordEncoder.getInstance();
      case "sha256" -> new StandardPasswordEncoder();
      default -> throw new IllegalArgumentException("unknown encoder id " + id);
    };
  }

  private static PasswordEncoder encoder(String name) {
    return switch (name) {
      case "factory" -> PasswordEncoderFactories.createDelegatingPasswordEncoder();
      case "bcrypt" -> new BCryptPasswordEncoder();
      case "bcrypt-2b" -> new BCryptPasswordEncoder(BCryptPasswordEncoder.BCryptVersion.$2B);
      case "bcrypt-2y" -> new BCryptPasswordEncoder(BCryptPasswordEncoder.BCryptVersion.$2Y);
      case "argon2-v5_8" -> Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8();
      case "prefer-argon2" -> {
        Map<String, PasswordEncoder> encoders = new HashMap<>();
        for (String id : new String[] {"bcrypt", "argon2", "argon2@SpringSecurity_v5_8"}) {
          encoders.put(id, byId(id));
        }
        yield new DelegatingPasswordEncoder("argon2@SpringSecurity_v5_8", encoders);
      }
      default -> new DelegatingPasswordEncoder(name, Map.of(name, byId(name)));
    };
  }

  private static String text(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }

  private static String run(String op, String encoderName, String[] args) {
    PasswordEncoder encoder = encoder(encoderName);
    return switch (op) {
      case "encode" -> encoder.encode(text(args[0]));
      case "matches" -> String.valueOf(encoder.matches(text(args[0]), text(args[1])));
      case "upgrade" -> String.valueOf(encoder.upgradeEncoding(text(args[0])));
      default -> throw new IllegalArgumentException("unknown op " + op);
    };
  }

  public static void main(String[] argv) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    StringBuilder out = new StringBuilder();
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (line.isEmpty()) {
        continue;
      }
      String[] parts = line.split("\t", -1);
      String[] args = new String[parts.length - 3];
      System.arraycopy(parts, 3, args, 0, args.length);
      try {
        String result = run(parts[1], parts[2], args);
        out.append(parts[0]).append("\tOK\t")
            .append(Base64.getEncoder().encodeToString(result.getBytes(StandardCharsets.UTF_8)));
      } catch (RuntimeException ex) {
        out.append(parts[0]).append("\tERR\t").append(ex.toString().replace('\n', ' ').replace('\t', ' '));
      }
      out.append('\n');
    }
    System.out.print(out);
  }
}
