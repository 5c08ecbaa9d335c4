/** The reliability kit shared by both services. No business logic lives here. */
package io.fleetsaga.common;
