/** First step of `npm run test:emulator`: one line and exit 1 when moto_server is not installed. */
import { EmulatorError, checkMoto } from "../lib/emulator/moto";

try {
  checkMoto(process.env.MOTO_SERVER_BIN || "moto_server");
} catch (e) {
  if (!(e instanceof EmulatorError)) throw e;
  console.error(e.message);
  process.exit(1);
}
