package dev.avcurate.captioning.checks;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Simple English inflections of an emotion word, so that a list of base adjectives also catches
 * "happily", "happiness", "happier", "sadly", "sadder", "anxiously", "confidence". Matching is against
 * whole letter-run tokens, never substrings: "sad" matches "sadly" and "sadness" but not "Sadler",
 * "crusade" or "sadist". An over-generated form that is not an English word ("boreder") costs nothing,
 * since it never occurs; a generated form that is a different, visible word would be a false flag, which
 * is why the rules stay few.
 */
final class EmotionWords {
    private EmotionWords() {}

    private static final String[] SUFFIXES = {"ly", "ness", "er", "est"};

    static Set<String> inflections(String w) {
        Set<String> out = new LinkedHashSet<>();
        out.add(w);
        for (String s : SUFFIXES) out.add(w + s);                       // sadly, sadness, calmer, proudest
        int n = w.length();
        if (n > 2 && w.endsWith("y")) {                                 // happily, happiness, happier, loneliness
            String stem = w.substring(0, n - 1) + "i";
            for (String s : SUFFIXES) out.add(stem + s);
        }
        if (n > 2 && w.endsWith("e")) {                                 // braver, bravest
            out.add(w + "r");
            out.add(w + "st");
        }
        if (n > 3 && w.endsWith("le")) out.add(w.substring(0, n - 2) + "ly");    // gentle -> gently
        if (n > 2 && w.endsWith("ic")) out.add(w + "ally");                      // ecstatically
        if (n > 3 && w.endsWith("ent")) out.add(w.substring(0, n - 3) + "ence"); // confidence
        if (n > 3 && w.endsWith("ant")) out.add(w.substring(0, n - 3) + "ance"); // arrogance
        if (shortClosedSyllable(w)) {                                   // sadder, saddest, gladder
            char last = w.charAt(n - 1);
            out.add(w + last + "er");
            out.add(w + last + "est");
        }
        return out;
    }

    /** One vowel between final consonants, as in "sad", "glad", "mad": English doubles the last letter. */
    private static boolean shortClosedSyllable(String w) {
        int n = w.length();
        if (n < 3 || n > 4) return false;
        char a = w.charAt(n - 3), b = w.charAt(n - 2), c = w.charAt(n - 1);
        return !vowel(a) && vowel(b) && !vowel(c) && "wxy".indexOf(c) < 0
                && w.chars().filter(ch -> vowel((char) ch)).count() == 1;
    }

    private static boolean vowel(char c) {
        return "aeiou".indexOf(c) >= 0;
    }
}
